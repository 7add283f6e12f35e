//! Markdown to HTML for the pages: CommonMark with tables and strikethrough;
//! raw HTML in the text is shown as text, and links may only point to http(s),
//! mail or this site, so a postmortem cannot inject markup or scripts.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// The HTML of `text`, safe to embed in a page.
pub fn render(text: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(text, options).map(|event| match event {
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
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    html::push_html(&mut out, events);
    out
}

/// The URL if its scheme is harmless, else `#`.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme = lower
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.contains(['/', '?', '#']));
    match scheme {
        None | Some("http" | "https" | "mailto") => url,
        Some(_) => CowStr::Borrowed("#"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text_and_script_links_are_defused() {
        let html =
            render("Hi <script>alert(1)</script> [x](javascript:alert(1)) [y](https://e.org/a)");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("href=\"#\""), "{html}");
        assert!(html.contains("href=\"https://e.org/a\""), "{html}");
        assert!(render("[r](/postmortems/PM-1)").contains("href=\"/postmortems/PM-1\""));
    }

    #[test]
    fn tables_and_emphasis_render() {
        let html = render("**bold**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            html.contains("<strong>bold</strong>") && html.contains("<table>"),
            "{html}"
        );
    }
}
