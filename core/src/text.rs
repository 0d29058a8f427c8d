//! User text: cleaning, limits and the normalisation shared by search and parsing.

use unicode_normalization::UnicodeNormalization;

/// Longest title, in characters (INTERFACE.md).
pub const TITLE_MAX: usize = 120;
/// Longest description or update, in characters (INTERFACE.md).
pub const DESCRIPTION_MAX: usize = 4000;
/// Longest display name, in characters.
pub const NAME_MAX: usize = 60;

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    Empty,
    TooLong { max: usize, len: usize },
}

/// Removes control characters other than newline; `\r\n` becomes `\n`.
pub fn strip_controls(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

fn limited(s: &str, max: usize, single_line: bool) -> Result<String, TextError> {
    let mut s = strip_controls(s);
    if single_line {
        s = s.replace('\n', " ");
    }
    let s = s.trim().to_owned();
    let len = s.chars().count();
    if len == 0 {
        Err(TextError::Empty)
    } else if len > max {
        Err(TextError::TooLong { max, len })
    } else {
        Ok(s)
    }
}

/// A title: one line, 1 to 120 characters, kept as typed.
pub fn title(s: &str) -> Result<String, TextError> {
    limited(s, TITLE_MAX, true)
}

/// A description or update: 1 to 4,000 characters, newlines kept.
pub fn description(s: &str) -> Result<String, TextError> {
    limited(s, DESCRIPTION_MAX, false)
}

/// A display name: one line, 1 to 60 characters.
pub fn display_name(s: &str) -> Result<String, TextError> {
    limited(s, NAME_MAX, true)
}

/// Lower case without accents or ligatures: "Réparation Œuvre" -> "reparation oeuvre".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        match c {
            '\u{300}'..='\u{36f}' => {}
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            '’' | 'ʼ' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The words of a text for search: folded, split on anything not a letter or digit.
pub fn search_words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The normalised text a store indexes for an initiative: each word preceded by a
/// space, so that a prefix match is `LIKE '% word%'` in any SQL store.
pub fn search_document(title: &str, description: &str) -> String {
    let mut doc = String::new();
    for w in search_words(title)
        .into_iter()
        .chain(search_words(description))
    {
        doc.push(' ');
        doc.push_str(&w);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_stripped_newlines_kept() {
        assert_eq!(strip_controls("a\u{7}b\r\nc\u{1b}[31m"), "ab\nc[31m");
        assert_eq!(title("  line\none  "), Ok("line one".to_owned()));
        assert_eq!(description("a\nb"), Ok("a\nb".to_owned()));
    }

    #[test]
    fn limits_refuse_never_truncate() {
        assert_eq!(title("   "), Err(TextError::Empty));
        assert_eq!(title("\u{1}\u{2}"), Err(TextError::Empty));
        let long = "é".repeat(121);
        assert_eq!(title(&long), Err(TextError::TooLong { max: 120, len: 121 }));
        assert!(title(&"é".repeat(120)).is_ok());
        assert!(description(&"x".repeat(4000)).is_ok());
        assert!(description(&"x".repeat(4001)).is_err());
    }

    #[test]
    fn markup_is_kept_as_typed() {
        assert_eq!(title("<b>x</b> & _*["), Ok("<b>x</b> & _*[".to_owned()));
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Réparation ŒUVRE Café"), "reparation oeuvre cafe");
        assert_eq!(
            search_words("Repair Café : réparation!"),
            vec!["repair", "cafe", "reparation"]
        );
        assert_eq!(search_document("Café", "vélo-école"), " cafe velo ecole");
    }
}
