//! Shaping a generated test suite to its coverage level: near-duplicates out, the level's
//! inclusive count range (minimal 1-2, basic 2-4, standard 3-6, comprehensive 5-10) and, for
//! comprehensive suites, at least one performance and one security test. Whatever a model
//! returned, the answer a user gets holds to the level: missing tests come from the offline
//! generator's suite for the same item (marked `pattern`), surplus tests are cut from the end.

use generation::task::{CoverageLevel, TestCase, TestCategory, TestPriority, TestType};

use crate::test_dedupe::{dedupe_by_title, is_duplicate};

/// A test with where it came from: `llm_ai`, `offline` or `pattern`.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcedCase {
    pub case: TestCase,
    pub source: &'static str,
}

/// A suite shaped to its level.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedSuite {
    pub cases: Vec<SourcedCase>,
    /// Near-duplicates dropped from the generated tests.
    pub duplicates_removed: usize,
}

/// The test types a level must include.
pub fn required_types(level: CoverageLevel) -> &'static [TestType] {
    match level {
        CoverageLevel::Comprehensive => &[TestType::Performance, TestType::Security],
        _ => &[],
    }
}

/// Shapes `generated` (labelled `source`) to `level`, topping up from `fallback` (another suite
/// for the same item) and, when that runs out, from tests written for `topic` (the item's
/// summary). Ids are renumbered `TC-01`, `TC-02`, ...
pub fn fit_to_level(
    generated: Vec<TestCase>,
    source: &'static str,
    fallback: &[TestCase],
    level: CoverageLevel,
    topic: &str,
) -> FittedSuite {
    let (min, max) = level.test_count_range();
    let (cases, duplicates_removed) = dedupe_by_title(generated, |case| case.title.as_str());
    let mut cases: Vec<SourcedCase> = cases
        .into_iter()
        .map(|case| SourcedCase { case, source })
        .collect();
    let required = required_types(level);
    for wanted in required {
        if cases.iter().any(|c| c.case.test_type == *wanted) {
            continue;
        }
        let candidate = fallback
            .iter()
            .find(|case| case.test_type == *wanted && !duplicates(&cases, &case.title))
            .cloned()
            .unwrap_or_else(|| written_case(*wanted, topic));
        // Make room among the types that are not required and occur more than once, so the
        // level's maximum still holds.
        if cases.len() >= max
            && let Some(index) = surplus_index(&cases, required)
        {
            cases.remove(index);
        }
        cases.push(SourcedCase {
            case: candidate,
            source: "pattern",
        });
    }
    while cases.len() > max {
        match surplus_index(&cases, required) {
            Some(index) => {
                cases.remove(index);
            }
            None => {
                cases.pop();
            }
        }
    }
    for case in fallback {
        if cases.len() >= min {
            break;
        }
        if !duplicates(&cases, &case.title) {
            cases.push(SourcedCase {
                case: case.clone(),
                source: "pattern",
            });
        }
    }
    // Distinct by construction (numbered), so no similarity check: with a long topic the
    // numbered titles would look alike and the loop would never end.
    let mut round = 1;
    while cases.len() < min {
        cases.push(SourcedCase {
            case: regression_case(topic, round),
            source: "pattern",
        });
        round += 1;
    }
    for (index, sourced) in cases.iter_mut().enumerate() {
        sourced.case.id = format!("TC-{:02}", index + 1);
    }
    FittedSuite {
        cases,
        duplicates_removed,
    }
}

fn duplicates(cases: &[SourcedCase], title: &str) -> bool {
    is_duplicate(title, cases.iter().map(|c| c.case.title.as_str()))
}

/// The last case that may go: its type is not required, or another case has the same type.
fn surplus_index(cases: &[SourcedCase], required: &[TestType]) -> Option<usize> {
    cases.iter().rposition(|case| {
        let kind = case.case.test_type;
        !required.contains(&kind) || cases.iter().filter(|c| c.case.test_type == kind).count() > 1
    })
}

/// A performance or security test (or a generic one) for `topic`, for when neither the model
/// nor the offline suite has one.
fn written_case(test_type: TestType, topic: &str) -> TestCase {
    let topic = topic.trim();
    let (title, category, description, steps, expected) = match test_type {
        TestType::Performance => (
            format!("Performance: {topic} under peak load"),
            TestCategory::Performance,
            format!("{topic} keeps its response times when many users use it at once."),
            vec![
                "Given the system is loaded with production-like data".to_owned(),
                format!("When 10x the usual peak of concurrent users exercise {topic}"),
                "Then the 95th percentile response time stays within the agreed budget".to_owned(),
                "And no request fails".to_owned(),
            ],
            "Latency stays within budget and the error rate is zero under peak load.".to_owned(),
        ),
        TestType::Security => (
            format!("Security: unauthorised access to {topic} is rejected"),
            TestCategory::Security,
            format!(
                "Only callers with the right permission can use {topic}; malformed input is refused."
            ),
            vec![
                "Given a user without the required permission".to_owned(),
                format!(
                    "When they attempt to use {topic}, and when a request carries injected script or SQL"
                ),
                "Then access is denied without revealing data".to_owned(),
                "And the attempt is logged".to_owned(),
            ],
            "Unauthorised and malicious requests are refused and logged; no data leaks.".to_owned(),
        ),
        other => return regression_case_of(other, topic, 1),
    };
    TestCase {
        id: String::new(),
        title,
        test_type,
        category,
        priority: TestPriority::P1,
        description,
        preconditions: Vec::new(),
        test_steps: steps,
        expected_result: expected,
        covers: None,
    }
}

fn regression_case(topic: &str, round: usize) -> TestCase {
    regression_case_of(TestType::Integration, topic, round)
}

fn regression_case_of(test_type: TestType, topic: &str, round: usize) -> TestCase {
    let topic = topic.trim();
    let subject = match round {
        1 => "existing behaviour is unchanged".to_owned(),
        2 => "related screens and endpoints still work".to_owned(),
        n => format!("regression check {n}"),
    };
    TestCase {
        id: String::new(),
        title: format!("Regression: {topic}: {subject}"),
        test_type,
        category: TestCategory::Positive,
        priority: TestPriority::P2,
        description: format!("After the change to {topic}, {subject}."),
        preconditions: Vec::new(),
        test_steps: vec![
            format!("Given the change to {topic} is deployed"),
            "When the existing regression suite runs".to_owned(),
            "Then every previously passing test still passes".to_owned(),
        ],
        expected_result: "No regressions.".to_owned(),
        covers: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(title: &str, test_type: TestType) -> TestCase {
        TestCase {
            id: "X".into(),
            title: title.into(),
            test_type,
            category: TestCategory::Positive,
            priority: TestPriority::P1,
            description: "d".into(),
            preconditions: Vec::new(),
            test_steps: vec!["Given a".into(), "Then b".into()],
            expected_result: "ok".into(),
            covers: None,
        }
    }

    fn titles(n: usize) -> Vec<TestCase> {
        let words = [
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
            "juliet", "kilo", "lima",
        ];
        words
            .iter()
            .take(n)
            .map(|word| case(&format!("Checkout {word} scenario"), TestType::Acceptance))
            .collect()
    }

    #[test]
    fn every_level_holds_its_range_from_too_few_or_too_many() {
        for level in [
            CoverageLevel::Minimal,
            CoverageLevel::Basic,
            CoverageLevel::Standard,
            CoverageLevel::Comprehensive,
        ] {
            let (min, max) = level.test_count_range();
            for generated in [0, 1, 3, 12] {
                let fitted =
                    fit_to_level(titles(generated), "llm_ai", &[], level, "Guest checkout");
                let n = fitted.cases.len();
                assert!((min..=max).contains(&n), "{level:?} from {generated}: {n}");
                let ids: Vec<&str> = fitted.cases.iter().map(|c| c.case.id.as_str()).collect();
                assert_eq!(ids.first().copied(), Some("TC-01"));
            }
        }
    }

    #[test]
    fn comprehensive_suites_include_performance_and_security() {
        let fitted = fit_to_level(
            titles(12),
            "llm_ai",
            &[case("Security: tokens expire", TestType::Security)],
            CoverageLevel::Comprehensive,
            "Guest checkout",
        );
        let types: Vec<TestType> = fitted.cases.iter().map(|c| c.case.test_type).collect();
        assert!(types.contains(&TestType::Performance));
        assert!(types.contains(&TestType::Security));
        assert_eq!(fitted.cases.len(), 10);
        let security = fitted
            .cases
            .iter()
            .find(|c| c.case.test_type == TestType::Security)
            .expect("a security test");
        assert_eq!(security.case.title, "Security: tokens expire");
        assert_eq!(security.source, "pattern");
    }

    #[test]
    fn duplicates_are_removed_and_counted_before_topping_up() {
        let generated = vec![
            case("User pays with valid card", TestType::Acceptance),
            case(
                "Verify the user can pay with a valid card",
                TestType::Acceptance,
            ),
        ];
        let fallback = vec![
            case("Users pay with a valid card", TestType::Acceptance),
            case("Expired card is declined inline", TestType::Integration),
            case("Checkout works on a slow network", TestType::E2e),
        ];
        let fitted = fit_to_level(
            generated,
            "llm_ai",
            &fallback,
            CoverageLevel::Standard,
            "Pay",
        );
        assert_eq!(fitted.duplicates_removed, 1);
        let titles: Vec<&str> = fitted.cases.iter().map(|c| c.case.title.as_str()).collect();
        assert_eq!(
            titles,
            vec![
                "User pays with valid card",
                "Expired card is declined inline",
                "Checkout works on a slow network"
            ]
        );
        assert_eq!(fitted.cases[0].source, "llm_ai");
        assert_eq!(fitted.cases[1].source, "pattern");
    }
}
