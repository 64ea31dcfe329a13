//! Unit tests of the business-hours policy.

use switchyard_sdk::{MemoryHost, Presence, QueueSpec, Weekday, ring_plan, testing};

use super::*;

const CONFIG: &str = r#"{
    "hours": [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "open": "09:00", "close": "17:30"},
        {"days": ["sat"], "open": "10:00", "close": "13:00"}
    ],
    "closed": {"department": 12},
    "inner": "ring-all"
}"#;

fn call_at(weekday: Weekday, hh: u16, mm: u16) -> Call {
    let mut call = testing::call();
    call.local_weekday = weekday;
    call.local_minute = hh * 60 + mm;
    call
}

fn team() -> Vec<Candidate> {
    vec![
        Candidate {
            idle_ms: 1_000,
            ..testing::candidate(2)
        },
        Candidate {
            idle_ms: 8_000,
            ..testing::candidate(1)
        },
        Candidate {
            presence: Presence::OnCall,
            ..testing::candidate(3)
        },
    ]
}

fn route(call: &Call, config: &str) -> Decision {
    BusinessHours::route(&mut MemoryHost::new(), call, &team(), config)
}

#[test]
fn inside_hours_routes_like_the_inner_strategy() {
    assert_eq!(
        route(&call_at(Weekday::Friday, 17, 29), CONFIG),
        Decision::Ring(ring_plan(RingMode::Simultaneous, [1, 2], 20_000))
    );
    assert_eq!(
        route(&call_at(Weekday::Saturday, 10, 0), CONFIG),
        Decision::Ring(ring_plan(RingMode::Simultaneous, [1, 2], 20_000))
    );
}

#[test]
fn outside_hours_overflows_out_of_hours() {
    for call in [
        call_at(Weekday::Friday, 17, 30),
        call_at(Weekday::Monday, 8, 59),
        call_at(Weekday::Saturday, 13, 0),
        call_at(Weekday::Sunday, 12, 0),
    ] {
        assert_eq!(
            route(&call, CONFIG),
            Decision::Overflow(OverflowReason::OutOfHours)
        );
    }
}

#[test]
fn out_of_hours_overflow_uses_the_closed_destination() {
    let mut host = MemoryHost::new();
    let call = call_at(Weekday::Sunday, 12, 0);
    assert_eq!(
        BusinessHours::overflow(&mut host, &call, OverflowReason::OutOfHours, CONFIG),
        OverflowAction::ForwardDepartment(12)
    );
    let voicemail = r#"{"closed": {"voicemail": "after-hours"}}"#;
    assert_eq!(
        BusinessHours::overflow(&mut host, &call, OverflowReason::OutOfHours, voicemail),
        OverflowAction::Voicemail("after-hours".into())
    );
}

#[test]
fn other_overflows_use_the_defaults() {
    let action = BusinessHours::overflow(
        &mut MemoryHost::new(),
        &call_at(Weekday::Monday, 10, 0),
        OverflowReason::AllBusy,
        CONFIG,
    );
    assert_eq!(
        action,
        OverflowAction::Queue(QueueSpec {
            max_wait_ms: 120_000,
            priority: 0
        })
    );
}

#[test]
fn default_config_is_weekdays_nine_to_five_longest_idle() {
    assert_eq!(
        route(&call_at(Weekday::Tuesday, 9, 0), ""),
        Decision::Ring(ring_plan(RingMode::Sequential, [1, 2], 20_000))
    );
    assert_eq!(
        route(&call_at(Weekday::Tuesday, 17, 0), ""),
        Decision::Overflow(OverflowReason::OutOfHours)
    );
    assert_eq!(
        BusinessHours::overflow(
            &mut MemoryHost::new(),
            &call_at(Weekday::Sunday, 9, 0),
            OverflowReason::OutOfHours,
            ""
        ),
        OverflowAction::Voicemail(String::new())
    );
}

#[test]
fn empty_hours_means_always_closed() {
    assert_eq!(
        route(&call_at(Weekday::Wednesday, 12, 0), r#"{"hours": []}"#),
        Decision::Overflow(OverflowReason::OutOfHours)
    );
}

#[test]
fn check_config_names_the_bad_field() {
    assert_eq!(BusinessHours::check_config(CONFIG), Ok(()));
    let err = BusinessHours::check_config(
        r#"{"hours": [{"days": ["mon"], "open": "9am", "close": "17:00"}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("hours[0].open"), "{err}");
    let err = BusinessHours::check_config(
        r#"{"hours": [{"days": ["mnday"], "open": "09:00", "close": "17:00"}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("hours[0].days[0]"), "{err}");
    let err = BusinessHours::check_config(r#"{"closed": {"voicemail": "a", "department": 1}}"#);
    assert!(err.is_err());
    let err = BusinessHours::check_config(r#"{"inner": "round-robin"}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`inner`"), "{err}");
}

#[test]
fn the_after_hours_department_rings_outside_hours() {
    let mut night = call_at(Weekday::Sunday, 3, 0);
    night.department = 12;
    assert!(
        matches!(route(&night, CONFIG), Decision::Ring(_)),
        "the closed forward's own department must not bounce the call again"
    );
    night.department = 11;
    assert_eq!(
        route(&night, CONFIG),
        Decision::Overflow(OverflowReason::OutOfHours)
    );
}
