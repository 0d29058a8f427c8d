//! What a Matrix client may be handed as `formatted_body`: HTML made only of
//! the tags the client-server specification lists for `org.matrix.custom.html`
//! (<https://spec.matrix.org/latest/client-server-api/#mroommessage-msgtypes>),
//! well nested, with well-formed entities, and an event under 64 KiB. Checked
//! independently of Kohero's renderer.

/// The tags the specification lets clients display.
const TAGS: &[&str] = &[
    "del",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "p",
    "a",
    "ul",
    "ol",
    "sup",
    "sub",
    "li",
    "b",
    "i",
    "u",
    "strong",
    "em",
    "s",
    "code",
    "hr",
    "br",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "pre",
    "span",
    "img",
    "details",
    "summary",
    "font",
];
/// Tags without content.
const VOID: &[&str] = &["br", "hr", "img"];
/// A Matrix event's limit, JSON included.
pub const MAX_EVENT_BYTES: usize = 65_536;

/// Checks a formatted body; `Err` says what is wrong.
pub fn check(html: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&', '>']) {
        let at = &rest[i..];
        if at.starts_with('>') {
            return Err(format!("a bare '>' in {:?}", excerpt(at)));
        }
        if at.starts_with('&') {
            let end = at
                .find(';')
                .filter(|e| *e <= 10)
                .ok_or_else(|| format!("a bare '&' in {:?}", excerpt(at)))?;
            let name = &at[1..end];
            let ok = matches!(name, "lt" | "gt" | "amp" | "quot" | "apos" | "nbsp")
                || name.strip_prefix('#').is_some_and(|n| {
                    n.parse::<u32>().ok().and_then(char::from_u32).is_some()
                        || n.strip_prefix('x').is_some_and(|h| {
                            u32::from_str_radix(h, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .is_some()
                        })
                });
            if !ok {
                return Err(format!("unknown entity &{name};"));
            }
            rest = &at[end + 1..];
            continue;
        }
        let end = at
            .find('>')
            .ok_or_else(|| format!("an unclosed tag in {:?}", excerpt(at)))?;
        let inside = &at[1..end];
        if let Some(name) = inside.strip_prefix('/') {
            let name = name.trim();
            match open.pop() {
                Some(o) if o == name => {}
                o => return Err(format!("</{name}> closes {o:?}")),
            }
        } else {
            let inside = inside.trim_end_matches('/');
            let mut words = inside.split_whitespace();
            let name = words.next().unwrap_or_default().to_owned();
            if !TAGS.contains(&name.as_str()) {
                return Err(format!("<{name}> is not a tag the specification allows"));
            }
            for attr in words {
                let key = attr.split('=').next().unwrap_or_default();
                let allowed = match name.as_str() {
                    "a" => matches!(key, "href" | "target" | "name"),
                    "code" => key == "class",
                    "span" | "font" => key.starts_with("data-mx-") || key == "color",
                    "img" => matches!(key, "src" | "alt" | "title" | "width" | "height"),
                    "ol" => key == "start",
                    _ => false,
                };
                if !allowed {
                    return Err(format!("attribute {key} on <{name}>"));
                }
                if key == "href"
                    && !attr.contains("\"https://")
                    && !attr.contains("\"http://")
                    && !attr.contains("\"mailto:")
                    && !attr.contains("\"matrix:")
                {
                    return Err(format!(
                        "a link that is not http(s), mailto or matrix: {attr}"
                    ));
                }
            }
            if !VOID.contains(&name.as_str()) {
                open.push(name);
            }
        }
        rest = &at[end + 1..];
    }
    match open.last() {
        Some(o) => Err(format!("<{o}> never closed")),
        None => Ok(()),
    }
}

fn excerpt(s: &str) -> String {
    s.chars().take(30).collect()
}

/// Checks a whole `m.room.message` content: a plain body, a valid formatted
/// body, and an event small enough for the homeserver.
pub fn check_message(body: &str, html: &str) -> Result<(), String> {
    if body.trim().is_empty() && html.trim().is_empty() {
        return Err("an empty message".into());
    }
    check(html)?;
    let content = serde_json::json!({
        "msgtype": "m.notice", "body": body,
        "format": "org.matrix.custom.html", "formatted_body": html,
    });
    let size = serde_json::to_string(&content).map_or(usize::MAX, |s| s.len()) + 1024;
    if size > MAX_EVENT_BYTES {
        return Err(format!("an event of about {size} bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_tags_only_well_nested() {
        assert!(check("<b>a</b><br><ul><li>x</li></ul> &amp; &#39;").is_ok());
        assert!(check("<a href=\"https://matrix.to/#/!r:x\">r</a>").is_ok());
        assert!(check("<script>x</script>").is_err());
        assert!(check("<b>x").is_err());
        assert!(check("<b><i>x</b></i>").is_err());
        assert!(check("a & b").is_err());
        assert!(check("<a href=\"javascript:x\">r</a>").is_err());
        assert!(check("<b onclick=x>r</b>").is_err());
    }
}
