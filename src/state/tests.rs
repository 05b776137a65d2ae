//! TenantState as a whole: the revision record in `liminal_remote`, serde round trips.

use super::*;

#[test]
fn revision_round_trips_through_liminal_remote() {
    let mut s = TenantState::new();
    assert_eq!(s.revision(), Ok(None));
    assert!(s.set_revision("abcdefabcdef"));
    assert!(!s.set_revision("abcdefabcdef"));
    assert_eq!(s.revision(), Ok(Some("abcdefabcdef".into())));
    assert!(s.set_revision("123456789012"));
    assert_eq!(s.revision(), Ok(Some("123456789012".into())));
    assert_eq!(s.managed_schemas().count(), 0);
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<TenantState>(&json).unwrap(), s);
}
