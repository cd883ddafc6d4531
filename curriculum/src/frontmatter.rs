//! The front-matter block at the top of a content file: `key: value` lines between `---` lines.

pub struct FrontMatter {
    fields: Vec<(String, String)>,
}

impl FrontMatter {
    /// Splits a file into its front matter and the Markdown body that follows it.
    pub fn split(text: &str) -> Result<(FrontMatter, &str), String> {
        let rest = text
            .strip_prefix("---\n")
            .ok_or("file must start with a '---' front-matter line")?;
        let end = rest
            .find("\n---\n")
            .ok_or("front matter is not closed by a '---' line")?;
        let mut fields = Vec::new();
        for line in rest[..end].lines().filter(|l| !l.trim().is_empty()) {
            let (key, value) = line
                .split_once(':')
                .ok_or_else(|| format!("front-matter line without ':': {line}"))?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            fields.push((key.trim().to_string(), value.to_string()));
        }
        Ok((FrontMatter { fields }, &rest[end + 5..]))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn required(&self, key: &str) -> Result<&str, String> {
        self.get(key)
            .ok_or_else(|| format!("front matter lacks '{key}'"))
    }
}
