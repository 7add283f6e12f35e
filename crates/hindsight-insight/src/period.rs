//! Calendar periods (UTC months and quarters) that metrics are cut by.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Serialize, Serializer};

use crate::InsightError;

/// A calendar month or quarter in UTC. Spelled `2026-07` or `2026-Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
}

impl Period {
    /// The month that contains `at`.
    pub fn month_of(at: DateTime<Utc>) -> Period {
        Period::Month {
            year: at.year(),
            month: at.month(),
        }
    }

    /// The quarter that contains `at`.
    pub fn quarter_of(at: DateTime<Utc>) -> Period {
        Period::Quarter {
            year: at.year(),
            quarter: (at.month() - 1) / 3 + 1,
        }
    }

    /// The same kind of period containing `at`.
    pub fn same_kind_at(self, at: DateTime<Utc>) -> Period {
        match self {
            Period::Month { .. } => Period::month_of(at),
            Period::Quarter { .. } => Period::quarter_of(at),
        }
    }

    /// First month (1-12) and number of months.
    fn span(self) -> (i32, u32, u32) {
        match self {
            Period::Month { year, month } => (year, month, 1),
            Period::Quarter { year, quarter } => (year, (quarter - 1) * 3 + 1, 3),
        }
    }

    /// Midnight UTC of the first day.
    pub fn start(self) -> DateTime<Utc> {
        let (year, month, _) = self.span();
        first_of(year, month)
    }

    /// Midnight UTC of the first day after the period (exclusive end).
    pub fn end(self) -> DateTime<Utc> {
        self.next().start()
    }

    pub fn contains(self, at: DateTime<Utc>) -> bool {
        self.start() <= at && at < self.end()
    }

    /// How many calendar months the period spans.
    pub fn months(self) -> u32 {
        self.span().2
    }

    /// The months of the period, in order.
    pub fn month_list(self) -> Vec<Period> {
        let (year, first, n) = self.span();
        (first..first + n)
            .map(|month| Period::Month { year, month })
            .collect()
    }

    /// The period just before, of the same kind.
    pub fn previous(self) -> Period {
        match self {
            Period::Month { year, month: 1 } => Period::Month {
                year: year - 1,
                month: 12,
            },
            Period::Month { year, month } => Period::Month {
                year,
                month: month - 1,
            },
            Period::Quarter { year, quarter: 1 } => Period::Quarter {
                year: year - 1,
                quarter: 4,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter - 1,
            },
        }
    }

    /// The period just after, of the same kind.
    pub fn next(self) -> Period {
        match self {
            Period::Month { year, month: 12 } => Period::Month {
                year: year + 1,
                month: 1,
            },
            Period::Month { year, month } => Period::Month {
                year,
                month: month + 1,
            },
            Period::Quarter { year, quarter: 4 } => Period::Quarter {
                year: year + 1,
                quarter: 1,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter + 1,
            },
        }
    }
}

fn first_of(year: i32, month: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, 1)
        .unwrap_or(NaiveDate::MIN)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
        }
    }
}

impl FromStr for Period {
    type Err = InsightError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let error = |reason| InsightError::Period {
            text: text.to_string(),
            reason,
        };
        let (year, rest) = text.split_once('-').ok_or_else(|| error("no `-`"))?;
        let year: i32 = match year.parse() {
            Ok(y) if (1970..=9999).contains(&y) && year.len() == 4 => y,
            _ => return Err(error("the year must be four digits from 1970")),
        };
        if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            match q.parse::<u32>() {
                Ok(quarter @ 1..=4) if q.len() == 1 => Ok(Period::Quarter { year, quarter }),
                _ => Err(error("the quarter must be Q1 to Q4")),
            }
        } else {
            match rest.parse::<u32>() {
                Ok(month @ 1..=12) if rest.len() == 2 => Ok(Period::Month { year, month }),
                _ => Err(error("the month must be 01 to 12")),
            }
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn quarters_and_months_parse_print_and_step() {
        let q: Period = "2026-Q3".parse().unwrap();
        assert_eq!(q.to_string(), "2026-Q3");
        assert_eq!(
            q.start(),
            Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap()
        );
        assert_eq!(q.end(), Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap());
        assert_eq!(q.previous().to_string(), "2026-Q2");
        assert_eq!(
            "2026-Q1".parse::<Period>().unwrap().previous().to_string(),
            "2025-Q4"
        );
        assert_eq!(
            "2026-01".parse::<Period>().unwrap().previous().to_string(),
            "2025-12"
        );
        assert_eq!(
            "2025-12".parse::<Period>().unwrap().next().to_string(),
            "2026-01"
        );
        let months: Vec<String> = q.month_list().iter().map(|m| m.to_string()).collect();
        assert_eq!(months, ["2026-07", "2026-08", "2026-09"]);
        let at = Utc.with_ymd_and_hms(2026, 9, 30, 23, 59, 0).unwrap();
        assert!(q.contains(at));
        assert!(!q.next().contains(at));
        assert_eq!(Period::quarter_of(at), q);
    }

    proptest::proptest! {
        #[test]
        fn periods_round_trip_and_step_back_and_forth(
            year in 1971i32..9999,
            n in 1u32..=12,
            quarter in proptest::bool::ANY,
        ) {
            let p = if quarter {
                Period::Quarter { year, quarter: (n - 1) / 3 + 1 }
            } else {
                Period::Month { year, month: n }
            };
            proptest::prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p));
            proptest::prop_assert_eq!(p.previous().next(), p);
            proptest::prop_assert_eq!(p.previous().end(), p.start());
            proptest::prop_assert!(p.contains(p.start()) && !p.contains(p.end()));
            proptest::prop_assert_eq!(p.month_list().len() as u32, p.months());
        }
    }

    #[test]
    fn bad_periods_say_what_is_wrong() {
        for bad in ["2026", "2026-Q5", "2026-13", "26-Q1", "2026-7", "x-Q1"] {
            let err = bad.parse::<Period>().unwrap_err().to_string();
            assert!(err.contains(bad) && err.contains("2026-Q3"), "{err}");
        }
    }
}
