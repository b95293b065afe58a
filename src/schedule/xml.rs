//! The little XML the schedule needs: escaping for the plist and the task XML it writes, and a
//! small element-tree reader for reading them back (and for what `schtasks /Query /XML` prints).
//!
//! Not a general XML parser: no DTD, entities beyond the five predefined ones and numeric
//! character references, or namespaces beyond keeping the prefix in the name. That is all the two
//! formats use.

/// One element: its name, attributes, child elements and the text directly inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first child element called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Follows a path of child names, e.g. `["Actions", "Exec", "Command"]`.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, name| e.child(name))
    }

    #[cfg(test)]
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';')? + at;
        let entity = &rest[at + 1..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    entity.strip_prefix('#')?.parse().ok()?
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Reads the document's root element; `None` when the text is not well-formed enough to read.
pub fn parse(text: &str) -> Option<Element> {
    let mut p = Parser {
        s: text.trim_start_matches('\u{feff}'),
        pos: 0,
    };
    p.skip_prolog()?;
    let root = p.element()?;
    p.skip_misc();
    (p.pos == p.s.len()).then_some(root)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.s.len() - trimmed.len();
    }

    fn skip_past(&mut self, end: &str) -> Option<()> {
        let at = self.rest().find(end)?;
        self.pos += at + end.len();
        Some(())
    }

    /// Comments and processing instructions between elements.
    fn skip_misc(&mut self) {
        loop {
            self.skip_ws();
            let skipped = if self.rest().starts_with("<!--") {
                self.skip_past("-->")
            } else if self.rest().starts_with("<?") {
                self.skip_past("?>")
            } else {
                None
            };
            if skipped.is_none() {
                return;
            }
        }
    }

    fn skip_prolog(&mut self) -> Option<()> {
        self.skip_misc();
        if self.rest().starts_with("<!DOCTYPE") {
            self.skip_past(">")?;
        }
        self.skip_misc();
        Some(())
    }

    fn name(&mut self) -> Option<String> {
        let len = self
            .rest()
            .find(|c: char| c.is_whitespace() || matches!(c, '>' | '/' | '='))?;
        if len == 0 {
            return None;
        }
        let name = self.rest()[..len].to_string();
        self.pos += len;
        Some(name)
    }

    fn element(&mut self) -> Option<Element> {
        self.rest().starts_with('<').then_some(())?;
        self.pos += 1;
        let name = self.name()?;
        let mut element = Element {
            name,
            attributes: Vec::new(),
            children: Vec::new(),
            text: String::new(),
        };
        loop {
            self.skip_ws();
            if self.rest().starts_with("/>") {
                self.pos += 2;
                return Some(element);
            }
            if self.rest().starts_with('>') {
                self.pos += 1;
                break;
            }
            let key = self.name()?;
            self.skip_ws();
            self.rest().starts_with('=').then_some(())?;
            self.pos += 1;
            self.skip_ws();
            let quote = self
                .rest()
                .chars()
                .next()
                .filter(|q| matches!(q, '"' | '\''))?;
            self.pos += 1;
            let len = self.rest().find(quote)?;
            let value = unescape(&self.rest()[..len])?;
            self.pos += len + 1;
            element.attributes.push((key, value));
        }
        loop {
            let len = self.rest().find('<')?;
            element.text.push_str(&unescape(&self.rest()[..len])?);
            self.pos += len;
            if self.rest().starts_with("</") {
                self.pos += 2;
                let closing = self.name()?;
                self.skip_ws();
                (closing == element.name && self.rest().starts_with('>')).then_some(())?;
                self.pos += 1;
                return Some(element);
            } else if self.rest().starts_with("<!--") {
                self.skip_past("-->")?;
            } else if self.rest().starts_with("<![CDATA[") {
                self.pos += "<![CDATA[".len();
                let len = self.rest().find("]]>")?;
                element.text.push_str(&self.rest()[..len]);
                self.pos += len + 3;
            } else {
                element.children.push(self.element()?);
            }
        }
    }
}

/// Decodes what a Windows tool printed or a task file holds: UTF-16 (with a BOM, or
/// recognisable by its zero bytes) or UTF-8.
pub fn decode(bytes: &[u8]) -> String {
    let utf16 = |bytes: &[u8], le: bool| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|b| {
                if le {
                    u16::from_le_bytes([b[0], b[1]])
                } else {
                    u16::from_be_bytes([b[0], b[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xff, 0xfe, rest @ ..] => utf16(rest, true),
        [0xfe, 0xff, rest @ ..] => utf16(rest, false),
        [b'<', 0, ..] => utf16(bytes, true),
        _ => String::from_utf8_lossy(bytes)
            .trim_start_matches('\u{feff}')
            .to_string(),
    }
}

/// UTF-16LE with a byte-order mark: what Task Scheduler writes and reads most reliably.
pub fn encode_utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_text_and_entities() {
        let doc = parse(
            "<?xml version=\"1.0\"?>\n<!-- c -->\n<a x=\"1 &amp; 2\" y='q'>\n  <b>t&lt;&#x41;&#66;</b><c/>\n  <b>second</b>\n</a>\n",
        )
        .unwrap();
        assert_eq!(doc.name, "a");
        assert_eq!(doc.attribute("x"), Some("1 & 2"));
        assert_eq!(doc.attribute("y"), Some("q"));
        assert_eq!(doc.children.len(), 3);
        assert_eq!(doc.child("b").unwrap().text, "t<AB");
        assert_eq!(doc.path(&["c"]).unwrap().children.len(), 0);
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for bad in [
            "",
            "<a>",
            "<a></b>",
            "<a x=1/>",
            "<a>&bogus;</a>",
            "<a/><b/>",
            "text",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn escape_round_trips() {
        let s = r#"C:\a "b" <c> & 'd'"#;
        let doc = parse(&format!("<a v=\"{0}\">{0}</a>", escape(s))).unwrap();
        assert_eq!(doc.text, s);
        assert_eq!(doc.attribute("v"), Some(s));
    }

    #[test]
    fn decodes_utf16_and_utf8() {
        let text = "<a>é</a>";
        assert_eq!(decode(&encode_utf16(text)), text);
        let no_bom: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(decode(&no_bom), text);
        assert_eq!(decode(text.as_bytes()), text);
        assert_eq!(decode(&[0xef, 0xbb, 0xbf, b'<', b'a', b'/', b'>']), "<a/>");
    }
}
