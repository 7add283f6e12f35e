//! Timestamps in files: what may be written, and how they are written back.
//!
//! Every stored time is UTC. A time without a timezone is refused rather than
//! guessed, because a guessed time would corrupt MTTD and MTTR.

use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc,
};

/// What a piece of text says about a point in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// A full timestamp with a timezone, converted to UTC.
    Full(DateTime<Utc>),
    /// `HH:MM[:SS]`, with `utc` when written with a `Z`.
    TimeOfDay {
        time: NaiveTime,
        utc: bool,
    },
    /// `YYYY-MM-DD` alone.
    DateOnly,
    /// A date and a time but no timezone.
    NoTimezone,
    Invalid,
}

/// Reads `2026-03-04T10:02:00Z`, `2026-03-04 10:02Z`, `2026-03-04T12:02+02:00`,
/// `10:02`, `10:02Z`, ... (seconds and their fraction are optional).
pub(super) fn read(text: &str) -> Reading {
    let text = text.trim();
    if let Some((date, rest)) = split_date(text) {
        if rest.is_empty() {
            return Reading::DateOnly;
        }
        let Some(rest) = rest.strip_prefix(['T', 't', ' ']).map(str::trim_start) else {
            return Reading::Invalid;
        };
        let Some((time, zone)) = split_clock(rest) else {
            return Reading::Invalid;
        };
        if zone.trim().is_empty() {
            return Reading::NoTimezone;
        }
        return match offset(zone.trim()) {
            Some(offset) => offset
                .from_local_datetime(&NaiveDateTime::new(date, time))
                .single()
                .map_or(Reading::Invalid, |at| Reading::Full(at.with_timezone(&Utc))),
            None => Reading::Invalid,
        };
    }
    match split_clock(text) {
        Some((time, "")) => Reading::TimeOfDay { time, utc: false },
        Some((time, "Z" | "z")) => Reading::TimeOfDay { time, utc: true },
        _ => Reading::Invalid,
    }
}

/// A full timestamp, or an error message saying what is wrong with `text`.
pub(super) fn read_full(text: &str) -> Result<DateTime<Utc>, String> {
    match read(text) {
        Reading::Full(at) => Ok(at),
        Reading::DateOnly => Err(format!(
            "`{}` is a date without a time; write a full timestamp such as `{}T10:02:00Z`",
            text.trim(),
            text.trim()
        )),
        Reading::NoTimezone | Reading::TimeOfDay { .. } => Err(format!(
            "time `{}` has no date or no timezone; write a full timestamp such as `2026-03-04T10:02:00Z` (`Z` or an offset like `+02:00`)",
            text.trim()
        )),
        Reading::Invalid => Err(format!(
            "`{}` is not a timestamp; expected one like `2026-03-04T10:02:00Z` (`Z` or an offset like `+02:00`)",
            text.trim()
        )),
    }
}

/// RFC 3339 in UTC with a `Z`, with a fraction of a second only when there is one.
pub(super) fn write(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `HH:MM` when `at` is on the (UTC) day of `day` and on a whole minute.
pub(super) fn write_clock(at: DateTime<Utc>, day: Option<DateTime<Utc>>) -> Option<String> {
    let on_day = day.is_some_and(|d| d.date_naive() == at.date_naive());
    let whole_minute = at.timestamp() % 60 == 0 && at.timestamp_subsec_nanos() == 0;
    (on_day && whole_minute).then(|| at.format("%H:%M").to_string())
}

/// `time` on the UTC day of `day`.
pub(super) fn on_day_of(day: DateTime<Utc>, time: NaiveTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&NaiveDateTime::new(day.date_naive(), time))
}

/// `YYYY-MM-DD` at the start of `text`, and the rest.
fn split_date(text: &str) -> Option<(NaiveDate, &str)> {
    let head = text.get(..10)?;
    let bytes = head.as_bytes();
    let shape = bytes.iter().enumerate().all(|(i, b)| match i {
        4 | 7 => *b == b'-',
        _ => b.is_ascii_digit(),
    });
    if !shape {
        return None;
    }
    let date = NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()?;
    Some((date, text.get(10..)?))
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff` at the start of `text`, and the rest.
fn split_clock(text: &str) -> Option<(NaiveTime, &str)> {
    let (hour, rest) = two_digits(text)?;
    let (minute, rest) = two_digits(rest.strip_prefix(':')?)?;
    let (second, nano, rest) = match rest.strip_prefix(':') {
        Some(after) => {
            let (second, rest) = two_digits(after)?;
            let (nano, rest) = fraction(rest)?;
            (second, nano, rest)
        }
        None => (0, 0, rest),
    };
    Some((
        NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?,
        rest,
    ))
}

fn two_digits(text: &str) -> Option<(u32, &str)> {
    let digits = text.get(..2)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, text.get(2..)?))
}

/// An optional `.123` after the seconds, as nanoseconds.
fn fraction(text: &str) -> Option<(u32, &str)> {
    let Some(after) = text.strip_prefix(['.', ',']) else {
        return Some((0, text));
    };
    let len = after.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 9 {
        return None;
    }
    let digits = after.get(..len)?;
    let nano = digits.parse::<u32>().ok()? * 10u32.pow(9 - len as u32);
    Some((nano, after.get(len..)?))
}

/// `Z`, `+02:00`, `-0700` or `+02`.
fn offset(zone: &str) -> Option<FixedOffset> {
    if zone.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match zone.strip_prefix('+') {
        Some(rest) => (1, rest),
        None => (-1, zone.strip_prefix('-')?),
    };
    let (hours, rest) = two_digits(rest)?;
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let minutes = if rest.is_empty() {
        0
    } else {
        match two_digits(rest)? {
            (minutes, "") => minutes,
            _ => return None,
        }
    };
    if minutes >= 60 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn full_timestamps_in_several_spellings() {
        let at = utc("2026-03-04T10:02:00Z");
        assert_eq!(read("2026-03-04T10:02:00Z"), Reading::Full(at));
        assert_eq!(read("2026-03-04 10:02Z"), Reading::Full(at));
        assert_eq!(read("2026-03-04T12:02+02:00"), Reading::Full(at));
        assert_eq!(read("2026-03-04T03:02:00-0700"), Reading::Full(at));
        assert_eq!(
            read("2026-05-04T19:51:05.703409Z"),
            Reading::Full(utc("2026-05-04T19:51:05.703409Z"))
        );
    }

    #[test]
    fn missing_parts_are_told_apart() {
        assert_eq!(read("2026-03-04"), Reading::DateOnly);
        assert_eq!(read("2026-03-04T10:02"), Reading::NoTimezone);
        assert_eq!(
            read("10:02"),
            Reading::TimeOfDay {
                time: NaiveTime::from_hms_opt(10, 2, 0).unwrap(),
                utc: false
            }
        );
        assert!(matches!(
            read("10:02:30Z"),
            Reading::TimeOfDay { utc: true, .. }
        ));
        for bad in [
            "",
            "soon",
            "2026-13-01T00:00Z",
            "25:00",
            "10:02+02:00",
            "2026-03-04T10:02+2",
            "2026-03-04X10:02Z",
            "２０２６-03-04",
        ] {
            assert_eq!(read(bad), Reading::Invalid, "{bad}");
        }
    }

    #[test]
    fn written_times_read_back() {
        for text in ["2026-03-04T10:02:00Z", "1999-12-31T23:59:59.500Z"] {
            let at = utc(text);
            assert_eq!(write(at), text);
            assert_eq!(read(&write(at)), Reading::Full(at));
        }
        let start = utc("2026-03-04T10:00:00Z");
        assert_eq!(
            write_clock(utc("2026-03-04T23:59:00Z"), Some(start)).as_deref(),
            Some("23:59")
        );
        assert_eq!(write_clock(utc("2026-03-05T00:01:00Z"), Some(start)), None);
        assert_eq!(write_clock(utc("2026-03-04T10:01:30Z"), Some(start)), None);
        assert_eq!(write_clock(start, None), None);
    }
}
