//! `render` then `parse` gives back the same postmortem; so does `template`.

use proptest::prelude::*;

use super::strategy::postmortem;
use super::{now, parse_ok};
use crate::format::{render, template};

proptest! {
    #![proptest_config(super::config())]

    #[test]
    fn render_then_parse_gives_back_the_postmortem(pm in postmortem()) {
        let text = render(&pm);
        let parsed = parse_ok(&text);
        prop_assert_eq!(&parsed.postmortem, &pm, "rendered as:\n{}", text);
        let given = parsed.given;
        prop_assert!(given.id && given.version && given.created_at && given.updated_at);
        prop_assert_eq!(given.key, pm.key.is_some());
    }

    #[test]
    fn a_template_of_a_filled_postmortem_parses_back_to_it(pm in postmortem()) {
        let text = template(&pm);
        prop_assert_eq!(&parse_ok(&text).postmortem, &pm, "template:\n{}", text);
    }

    #[test]
    fn rendering_is_stable(pm in postmortem()) {
        let text = render(&pm);
        let again = render(&crate::format::parse(&text, now()).unwrap().postmortem);
        prop_assert_eq!(text, again);
    }
}
