//! Asking about rename candidates ([`crate::rename`]): on a terminal, one question per
//! candidate; with `--renames`, all accepted; otherwise none, and a hint with the line to write.

use std::io::{BufRead, IsTerminal, Write};

use crate::rename::Rename;

/// How the candidates are decided.
pub(crate) enum Mode {
    /// `--renames`: accept every candidate.
    AcceptAll,
    /// A person at a terminal answers each question.
    Ask,
    /// Nobody to ask: accept none, print hints.
    Hint,
}

impl Mode {
    /// `--renames`, else asking when stdin and stderr are terminals and the output is text.
    pub(crate) fn pick(accept_all: bool, json: bool) -> Mode {
        if accept_all {
            Mode::AcceptAll
        } else if !json && std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            Mode::Ask
        } else {
            Mode::Hint
        }
    }
}

/// The accepted candidates. Questions and hints go to `err`, answers come from `input` (an
/// answer other than `y`/`yes`, or the end of input, is no).
pub(crate) fn choose(candidates: &[Rename], mode: Mode, input: &mut dyn BufRead, err: &mut dyn Write) -> Vec<Rename> {
    match mode {
        Mode::AcceptAll => candidates.to_vec(),
        Mode::Ask => {
            let mut accepted = Vec::new();
            for c in candidates {
                let _ = write!(err, "{} [y/N] ", c.question());
                let _ = err.flush();
                let mut answer = String::new();
                if input.read_line(&mut answer).unwrap_or(0) == 0 {
                    let _ = writeln!(err);
                    break;
                }
                if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
                    accepted.push(c.clone());
                }
            }
            accepted
        }
        Mode::Hint => {
            for c in candidates {
                let _ = writeln!(
                    err,
                    "hint: {} {}; to rename instead, answer yes when `liminal revision` asks (on a terminal), give it --renames, or write `{}` in place of those steps",
                    c.question(),
                    c.otherwise(),
                    c.line()
                );
            }
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::Op;

    fn candidate(from: &str, to: &str) -> Rename {
        Rename {
            kind: crate::rename::RenameKind::Option,
            on: "Toppings".into(),
            from: from.into(),
            to: to.into(),
            op: Op::RenameDropdownOption { dropdown: "Toppings".into(), option: from.into(), new_option: to.into() },
        }
    }

    #[test]
    fn asks_each_candidate_and_accepts_only_yes() {
        let candidates = [candidate("a", "b"), candidate("c", "d"), candidate("e", "f")];
        let mut err = Vec::new();
        let got = choose(&candidates, Mode::Ask, &mut "y\nno\nYES\n".as_bytes(), &mut err);
        assert_eq!(got, vec![candidates[0].clone(), candidates[2].clone()]);
        let err = String::from_utf8(err).unwrap();
        assert!(err.starts_with("Toppings: did you rename option `a` to `b`? [y/N] "), "{err}");

        let mut err = Vec::new();
        assert_eq!(choose(&candidates, Mode::Ask, &mut "y\n".as_bytes(), &mut err), vec![candidates[0].clone()]);
    }

    #[test]
    fn without_anyone_to_ask_nothing_is_accepted_and_the_line_is_shown() {
        let mut err = Vec::new();
        let got = choose(&[candidate("a", "b")], Mode::Hint, &mut "y\n".as_bytes(), &mut err);
        assert!(got.is_empty());
        let err = String::from_utf8(err).unwrap();
        assert!(err.contains(r#"`rename_dropdown_option("Toppings", "a", "b")`"#), "{err}");
        assert_eq!(choose(&[candidate("a", "b")], Mode::AcceptAll, &mut "".as_bytes(), &mut Vec::new()).len(), 1);
    }
}
