//! List parameters shared by the v2 and v3 list endpoints: `pageSize`/`nextToken` paging and
//! v3's `archived.anyOf`, `id.anyOf`, `name.anyOf` filters.

use base64::Engine;

use super::http::{ApiError, Req};

const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 100;

/// Where a page starts and how long it is.
pub(crate) struct Page {
    offset: usize,
    size: usize,
}

/// `pageSize` (default 50; 1..=100, larger is a 400 as the spec's `maximum: 100` implies) and
/// `nextToken` (opaque to clients: base64 of the offset).
pub(crate) fn page(req: &Req) -> Result<Page, ApiError> {
    let size = match req.query("pageSize") {
        None => DEFAULT_PAGE_SIZE,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => return Err(ApiError::bad_request(format!("pageSize must be an integer from 1 to 100; found `{s}`"))),
        },
    };
    let offset = match req.query("nextToken").filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => decode_token(t).ok_or_else(|| ApiError::bad_request(format!("nextToken `{t}` is not valid")))?,
    };
    Ok(Page { offset, size })
}

fn decode_token(t: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("offset:")?.parse().ok()
}

fn encode_token(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

/// One page of `items` and the token of the next page, `""` at the end (documented for v2; we
/// use it for v3 too, which liminal accepts).
pub(crate) fn slice<T>(items: Vec<T>, page: &Page) -> (Vec<T>, String) {
    let total = items.len();
    let end = page.offset.saturating_add(page.size).min(total);
    let next = if end < total { encode_token(end) } else { String::new() };
    (items.into_iter().skip(page.offset).take(page.size).collect(), next)
}

/// v3 `archived.anyOf`: `true`, `false` or both, comma-separated. **Absent ⇒ unarchived only**
/// (benchling-api.md §5.2; liminal always passes it). Returns whether an item with this
/// archive flag is listed.
pub(crate) fn archived_filter(req: &Req) -> Result<impl Fn(bool) -> bool + use<>, ApiError> {
    let (mut active, mut archived) = (false, false);
    match req.query("archived.anyOf") {
        None => active = true,
        Some(list) => {
            for v in list.split(',').map(str::trim) {
                match v {
                    "true" => archived = true,
                    "false" => active = true,
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "archived.anyOf takes true, false or true,false; found `{other}`"
                        )));
                    }
                }
            }
        }
    }
    Ok(move |is_archived: bool| if is_archived { archived } else { active })
}

/// v3 `id.anyOf` and `name.anyOf` (case-insensitive unless `name.anyOf.caseSensitive=true`).
pub(crate) fn identity_filter(req: &Req) -> impl Fn(&str, &str) -> bool + use<> {
    let split = |s: Option<&str>| s.map(|s| s.split(',').map(|p| p.trim().to_string()).collect::<Vec<_>>());
    let ids = split(req.query("id.anyOf"));
    let case_sensitive = req.query("name.anyOf.caseSensitive") == Some("true");
    let names = split(req.query("name.anyOf"));
    move |id: &str, name: &str| {
        ids.as_ref().is_none_or(|ids| ids.iter().any(|i| i == id))
            && names.as_ref().is_none_or(|names| {
                names.iter().any(|n| if case_sensitive { n == name } else { n.eq_ignore_ascii_case(name) })
            })
    }
}
