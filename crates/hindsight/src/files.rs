//! Postmortems as files: `new` writes a template, `edit` round-trips through $EDITOR.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use chrono::Utc;
use hindsight_core::Postmortem;
use hindsight_core::format;
use hindsight_core::import::{ImportPlan, plan};
use hindsight_store::AuditAction;

use crate::cli::{HandleArgs, NewArgs};
use crate::database::Context;

pub fn new(args: &NewArgs) -> Result<ExitCode> {
    let mut pm = Postmortem::new(args.title.trim(), args.kind, Utc::now());
    pm.severity = args.severity;
    pm.services.clone_from(&args.services);
    pm.owner.clone_from(&args.owner);
    pm.authors.extend(args.owner.clone());
    let text = format::template(&pm);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.md", slug(&args.title))));
    if out == Path::new("-") {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&out)
        .with_context(|| format!("cannot create {} (it must not exist yet)", out.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "wrote {}: fill it in, then `hindsight import {}`",
        out.display(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Lower-case words joined by dashes, for file names.
fn slug(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "postmortem".to_string()
    } else {
        words.join("-")
    }
}

/// Opens the postmortem in the user's editor and saves the result with a version
/// check. When the file cannot be saved (a syntax error, a conflict) it is kept
/// and its path printed, so no typing is lost.
pub async fn edit(ctx: &Context, args: &HandleArgs) -> Result<ExitCode> {
    let store = ctx.store().await?;
    let original = store
        .get(&args.handle)
        .await?
        .with_context(|| format!("no postmortem `{}`", args.handle))?;
    let path = std::env::temp_dir().join(format!(
        "hindsight-{}-v{}.md",
        original.handle(),
        original.version
    ));
    std::fs::write(&path, format::render(&original))
        .with_context(|| format!("cannot write {}", path.display()))?;
    run_editor(&path)?;
    let kept = || format!("your edit is kept in {}", path.display());
    let text = std::fs::read_to_string(&path).with_context(kept)?;
    let parsed = match format::parse(&text, Utc::now()) {
        Ok(p) => p,
        Err(e) => bail!(
            "{}:{}: {}\n{}; fix it and run `hindsight import {}`",
            path.display(),
            e.line,
            e.message,
            kept(),
            path.display()
        ),
    };
    if parsed.postmortem.id != original.id {
        bail!(
            "the id was changed in the editor; ids cannot change ({})",
            kept()
        );
    }
    match plan(Some(&original), parsed.postmortem, &parsed.given) {
        ImportPlan::Unchanged => println!("no changes to {}", original.handle()),
        ImportPlan::Update(pm) => {
            let saved = store
                .update(&pm, &ctx.actor, AuditAction::Update)
                .await
                .with_context(kept)?;
            println!("saved {} (version {})", saved.handle(), saved.version);
        }
        ImportPlan::Stale { .. } | ImportPlan::Create(_) => {
            bail!(
                "the version in the file was changed; leave it as it was ({})",
                kept()
            )
        }
    }
    // Saved or unchanged: the temporary copy has served its purpose.
    let _ = std::fs::remove_file(&path);
    Ok(ExitCode::SUCCESS)
}

/// Runs $VISUAL or $EDITOR (default `vi`) on the file, through the shell so an
/// editor with arguments (`code --wait`) works.
fn run_editor(path: &Path) -> Result<()> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".to_string());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("hindsight-editor")
        .arg(path)
        .status()
        .with_context(|| format!("cannot start the editor `{editor}`"))?;
    if !status.success() {
        bail!(
            "the editor `{editor}` exited with {status}; nothing was saved (the file is {})",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_short_and_safe() {
        assert_eq!(
            slug("Checkout 5xx after payments-api 2.14!"),
            "checkout-5xx-after-payments-api-2-14"
        );
        assert_eq!(slug("???"), "postmortem");
    }
}
