//! JQL dates: absolute literals (`"2026-01-31"`, `"2026/01/31 14:00"`), periods relative to now
//! (`-7d`, `"-1w 2d"`, `4h`), and the date functions (`now()`, `startOfDay(-1d)`,
//! `endOfMonth()`…), all resolved against a context's clock and time zone.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime,
    TimeZone, Utc, Weekday,
};

/// A resolved date literal: the instant it names and the end (exclusive) of the span it
/// covers, so that `created = "2026-01-31"` can match the whole day while
/// `created < "2026-01-31"` compares with midnight, as Jira does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateSpan {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The calendar day of `start` in the user's time zone, for date-only fields (due date).
    pub day: NaiveDate,
}

impl DateSpan {
    fn instant(at: DateTime<Utc>, zone: FixedOffset) -> DateSpan {
        DateSpan {
            start: at,
            end: at + Duration::milliseconds(1),
            day: at.with_timezone(&zone).date_naive(),
        }
    }

    fn local(start: NaiveDateTime, length: Duration, zone: FixedOffset) -> Option<DateSpan> {
        let start = zone
            .from_local_datetime(&start)
            .single()?
            .with_timezone(&Utc);
        Some(DateSpan {
            start,
            end: start + length,
            day: start.with_timezone(&zone).date_naive(),
        })
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// A signed calendar offset such as `-1M 2d`: months are calendar months, the rest is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Period {
    months: i64,
    duration: Duration,
}

impl Period {
    fn apply(&self, at: NaiveDateTime) -> Option<NaiveDateTime> {
        let shifted = if self.months >= 0 {
            at.checked_add_months(Months::new(u32::try_from(self.months).ok()?))?
        } else {
            at.checked_sub_months(Months::new(u32::try_from(-self.months).ok()?))?
        };
        shifted.checked_add_signed(self.duration)
    }
}

/// The unit a date function's bare-number increment uses (`startOfMonth(-1)` is one month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeriodUnit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
}

impl PeriodUnit {
    fn from_char(c: char) -> Option<PeriodUnit> {
        let unit = match c {
            'y' | 'Y' => PeriodUnit::Year,
            'M' => PeriodUnit::Month,
            'w' | 'W' => PeriodUnit::Week,
            'd' | 'D' => PeriodUnit::Day,
            'h' | 'H' => PeriodUnit::Hour,
            'm' => PeriodUnit::Minute,
            _ => return None,
        };
        Some(unit)
    }

    fn period(self, amount: i64) -> Option<Period> {
        let period = match self {
            PeriodUnit::Year => Period {
                months: amount.checked_mul(12)?,
                duration: Duration::zero(),
            },
            PeriodUnit::Month => Period {
                months: amount,
                duration: Duration::zero(),
            },
            PeriodUnit::Week => Period {
                months: 0,
                duration: Duration::try_weeks(amount)?,
            },
            PeriodUnit::Day => Period {
                months: 0,
                duration: Duration::try_days(amount)?,
            },
            PeriodUnit::Hour => Period {
                months: 0,
                duration: Duration::try_hours(amount)?,
            },
            PeriodUnit::Minute => Period {
                months: 0,
                duration: Duration::try_minutes(amount)?,
            },
        };
        Some(period)
    }
}

/// Parses a period such as `-7d`, `4h`, `+1M`, `-1w 2d` or `1y2M`. A leading sign applies to
/// every part. With `default_unit`, a bare number (`-1`) is allowed and takes that unit.
pub(crate) fn parse_period(text: &str, default_unit: Option<PeriodUnit>) -> Option<Period> {
    let text = text.trim();
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let rest = rest.trim_start();
    if let Some(unit) = default_unit
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        let amount: i64 = rest.parse().ok()?;
        return unit.period(if negative { -amount } else { amount });
    }
    let mut total = Period::default();
    let mut chars = rest.chars().peekable();
    let mut parts = 0;
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut amount: i64 = 0;
        let mut digits = 0;
        while let Some(digit) = chars.peek().and_then(|c| c.to_digit(10)) {
            chars.next();
            amount = amount.checked_mul(10)?.checked_add(i64::from(digit))?;
            digits += 1;
        }
        if digits == 0 {
            return None;
        }
        let unit = PeriodUnit::from_char(chars.next()?)?;
        let part = unit.period(if negative { -amount } else { amount })?;
        total.months = total.months.checked_add(part.months)?;
        total.duration = total.duration.checked_add(&part.duration)?;
        parts += 1;
    }
    (parts > 0).then_some(total)
}

/// Parses an absolute date: `yyyy-MM-dd`, `yyyy/MM/dd`, optionally followed by ` HH:mm`,
/// read in the user's time zone. A date alone spans its day; with a time, its minute.
pub(crate) fn parse_absolute(text: &str, zone: FixedOffset) -> Option<DateSpan> {
    let text = text.trim();
    let (date_part, time_part) = match text.split_once(' ') {
        Some((date, time)) => (date, Some(time.trim())),
        None => (text, None),
    };
    let date = NaiveDate::parse_from_str(date_part, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(date_part, "%Y/%m/%d"))
        .ok()?;
    match time_part {
        None => DateSpan::local(date.and_time(NaiveTime::MIN), Duration::days(1), zone),
        Some(time) => {
            let time = NaiveTime::parse_from_str(time, "%H:%M").ok()?;
            DateSpan::local(date.and_time(time), Duration::minutes(1), zone)
        }
    }
}

/// Resolves a date literal: absolute, or a period relative to `now`.
pub(crate) fn parse_date_literal(
    text: &str,
    now: DateTime<Utc>,
    zone: FixedOffset,
) -> Option<DateSpan> {
    if let Some(span) = parse_absolute(text, zone) {
        return Some(span);
    }
    let period = parse_period(text, None)?;
    let local = period.apply(now.with_timezone(&zone).naive_local())?;
    let at = zone
        .from_local_datetime(&local)
        .single()?
        .with_timezone(&Utc);
    Some(DateSpan::instant(at, zone))
}

/// The date functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateFunction {
    Now,
    StartOf(PeriodUnit),
    EndOf(PeriodUnit),
}

impl DateFunction {
    /// The date function called `name` (case-insensitive), if it is one.
    pub fn from_name(name: &str) -> Option<DateFunction> {
        let function = match name.to_ascii_lowercase().as_str() {
            "now" => DateFunction::Now,
            "startofday" => DateFunction::StartOf(PeriodUnit::Day),
            "startofweek" => DateFunction::StartOf(PeriodUnit::Week),
            "startofmonth" => DateFunction::StartOf(PeriodUnit::Month),
            "startofyear" => DateFunction::StartOf(PeriodUnit::Year),
            "endofday" => DateFunction::EndOf(PeriodUnit::Day),
            "endofweek" => DateFunction::EndOf(PeriodUnit::Week),
            "endofmonth" => DateFunction::EndOf(PeriodUnit::Month),
            "endofyear" => DateFunction::EndOf(PeriodUnit::Year),
            _ => return None,
        };
        Some(function)
    }

    /// How many arguments the function takes at most.
    pub fn max_args(self) -> usize {
        match self {
            DateFunction::Now => 0,
            _ => 1,
        }
    }

    /// Parses the optional increment argument (`-1d`, `"+1M"`, `-1` in the function's unit).
    pub fn increment(self, arg: &str) -> Option<Period> {
        let unit = match self {
            DateFunction::Now => return None,
            DateFunction::StartOf(unit) | DateFunction::EndOf(unit) => unit,
        };
        parse_period(arg, Some(unit))
    }

    /// Evaluates the function at `now` in `zone`, shifted by `increment`. The increment is
    /// applied after the period boundary is found: `startOfMonth("+14d")` is the 15th.
    pub fn evaluate(
        self,
        increment: Option<Period>,
        now: DateTime<Utc>,
        zone: FixedOffset,
        week_start: Weekday,
    ) -> Option<DateSpan> {
        let local = now.with_timezone(&zone).naive_local();
        let base = match self {
            DateFunction::Now => local,
            DateFunction::StartOf(unit) => period_start(local, unit, week_start)?,
            DateFunction::EndOf(unit) => {
                let start = period_start(local, unit, week_start)?;
                let next = unit.period(1)?.apply(start)?;
                next - Duration::milliseconds(1)
            }
        };
        let shifted = match increment {
            Some(period) => period.apply(base)?,
            None => base,
        };
        let at = zone
            .from_local_datetime(&shifted)
            .single()?
            .with_timezone(&Utc);
        Some(DateSpan::instant(at, zone))
    }
}

/// The first instant of the day, week, month or year containing `at`.
fn period_start(at: NaiveDateTime, unit: PeriodUnit, week_start: Weekday) -> Option<NaiveDateTime> {
    let date = at.date();
    let start = match unit {
        PeriodUnit::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1)?,
        PeriodUnit::Month => NaiveDate::from_ymd_opt(date.year(), date.month(), 1)?,
        PeriodUnit::Week => {
            let back =
                (7 + date.weekday().num_days_from_monday() - week_start.num_days_from_monday()) % 7;
            date - Duration::days(i64::from(back))
        }
        PeriodUnit::Day | PeriodUnit::Hour | PeriodUnit::Minute => date,
    };
    Some(start.and_time(NaiveTime::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn periods() {
        let cases: &[(&str, Option<(i64, i64)>)] = &[
            ("-7d", Some((0, -7 * 86_400))),
            ("4h", Some((0, 4 * 3_600))),
            ("+1M", Some((1, 0))),
            ("-1M", Some((-1, 0))),
            ("-1w 2d", Some((0, -9 * 86_400))),
            ("1y2M", Some((14, 0))),
            ("30m", Some((0, 1_800))),
            ("-7", None),
            ("7x", None),
            ("d", None),
            ("", None),
        ];
        for (text, expected) in cases {
            let parsed = parse_period(text, None).map(|p| (p.months, p.duration.num_seconds()));
            assert_eq!(parsed, *expected, "{text}");
        }
        let bare = parse_period("-1", Some(PeriodUnit::Day)).unwrap();
        assert_eq!(bare.duration, Duration::days(-1));
    }

    #[test]
    fn absolute_dates_in_a_time_zone() {
        let span = parse_absolute("2026-01-31", utc()).unwrap();
        assert_eq!(span.start, at("2026-01-31T00:00:00Z"));
        assert_eq!(span.end, at("2026-02-01T00:00:00Z"));
        let span =
            parse_absolute("2026/01/31 14:05", FixedOffset::east_opt(3_600).unwrap()).unwrap();
        assert_eq!(span.start, at("2026-01-31T13:05:00Z"));
        assert_eq!(span.end, at("2026-01-31T13:06:00Z"));
        assert!(parse_absolute("2026-13-01", utc()).is_none());
        assert!(parse_absolute("31/01/2026", utc()).is_none());
    }

    #[test]
    fn date_functions_with_fixed_now() {
        // A Wednesday afternoon.
        let now = at("2026-01-14T15:30:00Z");
        let eval = |name: &str, arg: Option<&str>| {
            let function = DateFunction::from_name(name).unwrap();
            let increment = arg.map(|a| function.increment(a).unwrap());
            function
                .evaluate(increment, now, utc(), Weekday::Sun)
                .unwrap()
                .start
        };
        assert_eq!(eval("now", None), now);
        assert_eq!(eval("startOfDay", None), at("2026-01-14T00:00:00Z"));
        assert_eq!(eval("startOfDay", Some("-1d")), at("2026-01-13T00:00:00Z"));
        assert_eq!(eval("startOfDay", Some("-1")), at("2026-01-13T00:00:00Z"));
        assert_eq!(eval("endOfDay", None), at("2026-01-14T23:59:59.999Z"));
        assert_eq!(eval("startOfWeek", None), at("2026-01-11T00:00:00Z"));
        assert_eq!(eval("endOfWeek", None), at("2026-01-17T23:59:59.999Z"));
        assert_eq!(eval("startOfMonth", None), at("2026-01-01T00:00:00Z"));
        assert_eq!(
            eval("startOfMonth", Some("+14d")),
            at("2026-01-15T00:00:00Z")
        );
        assert_eq!(eval("startOfMonth", Some("-1")), at("2025-12-01T00:00:00Z"));
        assert_eq!(eval("endOfMonth", None), at("2026-01-31T23:59:59.999Z"));
        assert_eq!(eval("startOfYear", None), at("2026-01-01T00:00:00Z"));
        assert_eq!(eval("endOfYear", None), at("2026-12-31T23:59:59.999Z"));
        let monday = DateFunction::StartOf(PeriodUnit::Week)
            .evaluate(None, now, utc(), Weekday::Mon)
            .unwrap();
        assert_eq!(monday.start, at("2026-01-12T00:00:00Z"));
    }

    #[test]
    fn relative_literals_use_the_zone_for_the_day() {
        let now = at("2026-01-14T23:30:00Z");
        let plus_one = FixedOffset::east_opt(3_600).unwrap();
        let span = parse_date_literal("-1d", now, plus_one).unwrap();
        assert_eq!(span.start, at("2026-01-13T23:30:00Z"));
        assert_eq!(span.day, NaiveDate::from_ymd_opt(2026, 1, 14).unwrap());
    }
}
