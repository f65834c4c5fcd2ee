//! Applying a visibility to a value: the form that may leave the server, if any.

use super::Visibility;

/// Masking character run shown in front of the last digits, and in place of a secret.
const MASK: &str = "•••";

/// The form of `value` that may be shown: the value itself, `••• ` and its last digits, a
/// fixed mask for secrets (which gives away nothing, not even the length), or `None` when it
/// must not be shown at all.
pub fn apply(visibility: Visibility, value: &str) -> Option<String> {
    match visibility {
        Visibility::Visible => Some(value.to_owned()),
        Visibility::LastDigits(n) => {
            let digits: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
            let tail: String = digits
                .get(digits.len().saturating_sub(n)..)
                .unwrap_or_default()
                .iter()
                .collect();
            if tail.is_empty() {
                Some(MASK.to_owned())
            } else {
                Some(format!("{MASK} {tail}"))
            }
        }
        Visibility::Hidden(_) => None,
        Visibility::Secret => Some(format!("{MASK}{MASK}")),
    }
}
