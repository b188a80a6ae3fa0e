//! Release notes: Markdown to HTML where raw HTML is shown as text and only safe links survive.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Renders Markdown. Raw HTML becomes visible text (escaped); links and images keep their
/// targets only for http(s), mailto and relative URLs, so notes cannot run script.
pub fn markdown_to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme = lower.split_once(':').map(|(s, _)| s);
    let relative = scheme.is_none_or(|s| s.contains('/') || s.contains('?') || s.contains('#'));
    if relative || matches!(scheme, Some("http" | "https" | "mailto")) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

#[cfg(test)]
mod tests {
    use super::markdown_to_html;

    #[test]
    fn raw_html_is_escaped_and_links_kept() {
        let html =
            markdown_to_html("Fixed <script>alert(1)</script> see [docs](https://x.org/a?b=1&c=2)");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://x.org/a?b=1&amp;c=2">docs</a>"#),
            "{html}"
        );
    }

    #[test]
    fn script_links_are_neutralised() {
        let html = markdown_to_html(
            "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](../notes.html)",
        );
        assert!(!html.to_ascii_lowercase().contains("javascript:"), "{html}");
        assert!(html.contains(r#"href="../notes.html""#), "{html}");
    }

    #[test]
    fn block_html_is_text() {
        let html = markdown_to_html("<div onclick=\"x()\">hi</div>\n");
        assert!(!html.contains("<div"), "{html}");
    }
}
