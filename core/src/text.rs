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

/// Removes control characters other than newline, and the invisible
/// characters that change how a text looks without being seen: bidirectional
/// overrides, embeddings, isolates and marks (U+202E turns « evil.exe » around),
/// zero-width spaces and joiners, word joiners, soft hyphens and byte order
/// marks. A zero-width joiner inside an emoji sequence (👩‍🌾) stays. `\r\n`
/// becomes `\n`.
pub fn strip_controls(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            out.push(c);
        } else if c == '\u{200D}' {
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            let after = chars.get(i + 1);
            if before.is_some_and(|b| is_emoji_part(*b)) && after.is_some_and(|a| is_emoji(*a)) {
                out.push(c);
            }
        } else if !c.is_control() && !is_invisible(c) {
            out.push(c);
        }
    }
    out
}

/// Characters that are not shown but change what is around them.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                 // soft hyphen
        | '\u{061C}'               // Arabic letter mark
        | '\u{180E}'               // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'  // zero-width space, non-joiner, joiner, LRM, RLM
        | '\u{202A}'..='\u{202E}'  // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'  // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'  // bidi isolates, deprecated format characters
        | '\u{FEFF}'               // byte order mark, zero-width no-break space
        | '\u{FFF9}'..='\u{FFFB}'  // interlinear annotation
        | '\u{1D173}'..='\u{1D17A}' // musical formatting
        | '\u{E0001}'              // language tag
    )
}

/// A pictograph that may start or continue an emoji ZWJ sequence.
fn is_emoji(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}')
}

/// What may stand just before a joiner in an emoji sequence: a pictograph, a
/// variation selector or a skin tone.
fn is_emoji_part(c: char) -> bool {
    is_emoji(c) || c == '\u{FE0F}'
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

/// Longest excerpt of an update in lists that gather many (digests, alert
/// batches, the feed): the whole text is on the project's card.
pub const EXCERPT_MAX: usize = 280;

/// The start of a text, at most `max` characters, cut after a word and ended
/// with `…` when something was left out.
pub fn excerpt(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let head: String = s.chars().take(max.saturating_sub(1)).collect();
    let cut = match head.rfind(char::is_whitespace) {
        Some(i) if i * 2 >= head.len() => &head[..i],
        _ => head.as_str(),
    };
    format!("{}…", cut.trim_end())
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
    fn invisible_characters_are_removed() {
        assert_eq!(
            title("Mairie\u{202E}exe.txt"),
            Ok("Mairieexe.txt".to_owned())
        );
        assert_eq!(
            display_name("Ma\u{200B}ir\u{200D}ie\u{2066}\u{FEFF}\u{AD}"),
            Ok("Mairie".to_owned())
        );
        assert_eq!(title("\u{200B}\u{202E}"), Err(TextError::Empty));
        // Emoji sequences keep their joiner; letters do not.
        assert_eq!(title("👩\u{200D}🌾 ok"), Ok("👩\u{200D}🌾 ok".to_owned()));
        assert_eq!(
            title("❤\u{FE0F}\u{200D}🔥"),
            Ok("❤\u{FE0F}\u{200D}🔥".to_owned())
        );
        assert_eq!(title("a\u{200D}🌾"), Ok("a🌾".to_owned()));
        assert_eq!(title("\u{200D}"), Err(TextError::Empty));
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
    fn excerpts_cut_after_a_word() {
        assert_eq!(excerpt("court", 10), "court");
        assert_eq!(excerpt("un texte bien trop long", 12), "un texte…");
        let e = excerpt(&"🌱".repeat(400), 280);
        assert_eq!(e.chars().count(), 280);
        assert!(e.ends_with('…'));
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
