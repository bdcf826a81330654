//! `fmt`: money, percentages, dates, plurals, durations, ages, phones.

use rust_decimal_macros::dec;

use super::super::fmt::*;
use super::fixtures::day;
use crate::domain::Lang;

#[test]
fn money_whole_pesos_half_away_from_zero() {
    assert_eq!(money(dec!(12450)), "$12,450 MXN");
    assert_eq!(money(dec!(12450) / dec!(8)), "$1,556 MXN");
    assert_eq!(money(dec!(1556.5)), "$1,557 MXN");
    assert_eq!(money(dec!(-1556.5)), "-$1,557 MXN");
    assert_eq!(money(dec!(-1200)), "-$1,200 MXN");
    assert_eq!(money(dec!(999.5)), "$1,000 MXN");
    assert_eq!(money(dec!(1234567.891)), "$1,234,568 MXN");
    assert_eq!(money(dec!(-0.4)), "$0 MXN");
    assert_eq!(money(dec!(0)), "$0 MXN");
    assert_eq!(money(dec!(100)), "$100 MXN");
}

#[test]
fn money_with_cents() {
    assert_eq!(money_cents(dec!(12450) / dec!(8)), "$1,556.25 MXN");
    assert_eq!(money_cents(dec!(0.005)), "$0.01 MXN");
    assert_eq!(money_cents(dec!(-1200)), "-$1,200.00 MXN");
    assert_eq!(money_cents(dec!(1234567.891)), "$1,234,567.89 MXN");
    assert_eq!(money_cents(dec!(-0.004)), "$0.00 MXN");
}

#[test]
fn numbers_and_decimals() {
    assert_eq!(number(0), "0");
    assert_eq!(number(999), "999");
    assert_eq!(number(1000), "1,000");
    assert_eq!(number(-3000), "-3,000");
    assert_eq!(number(i64::MIN), "-9,223,372,036,854,775,808");
    assert_eq!(decimal(dec!(2.30)), "2.3");
    assert_eq!(decimal(dec!(1234.567)), "1,234.57");
    assert_eq!(decimal(dec!(-1234.5)), "-1,234.5");
    assert_eq!(decimal(dec!(-0.001)), "0");
    assert_eq!(decimal(dec!(5.00)), "5");
}

#[test]
fn percentages() {
    assert_eq!(percent(45.0), "45.0%");
    assert_eq!(percent(12.345), "12.3%");
    assert_eq!(percent(12.35), "12.4%");
    assert_eq!(percent(-0.04), "0.0%");
    assert_eq!(percent(f64::NAN), "—");
    assert_eq!(percent_whole(78.4), "78%");
    assert_eq!(percent_whole(-0.3), "0%");
    assert_eq!(percent_whole(-35.6), "-36%");
    assert_eq!(signed_percent(12.5), "+12.5%");
    assert_eq!(signed_percent(-3.0), "-3.0%");
    assert_eq!(signed_percent(0.0), "0.0%");
    assert_eq!(signed_percent(-0.04), "0.0%");
    assert_eq!(pct_change(112.5, 100.0, Lang::Es), "+12.5%");
    assert_eq!(pct_change(97.0, 100.0, Lang::En), "-3.0%");
    assert_eq!(pct_change(-25.0, -50.0, Lang::Es), "+50.0%");
    assert_eq!(pct_change(5.0, 0.0, Lang::Es), "n/d");
    assert_eq!(pct_change(0.0, 0.0, Lang::En), "n/a");
    assert_eq!(pct_change(f64::NAN, 3.0, Lang::En), "n/a");
    assert_eq!(pp_change(45.0, 40.0), "+5.0 pp");
    assert_eq!(pp_change(40.0, 45.0), "-5.0 pp");
}

#[test]
fn lang_codes() {
    assert_eq!(Lang::default(), Lang::Es);
    for code in ["en", "EN", "en-US", "en_GB", " en "] {
        assert_eq!(Lang::from_code(code), Lang::En, "{code}");
    }
    for code in ["es", "es-MX", "", "fr", "eng"] {
        assert_eq!(Lang::from_code(code), Lang::Es, "{code}");
    }
    assert_eq!(Lang::En.pick("sí", "yes"), "yes");
    assert_eq!(serde_json::to_string(&Lang::En).expect("json"), r#""en""#);
}

#[test]
fn dates() {
    assert_eq!(date(day(2025, 11, 15), Lang::Es), "15 Nov 2025");
    assert_eq!(date(day(2025, 11, 15), Lang::En), "Nov 15, 2025");
    let es: Vec<String> = (1..=12).map(|m| date(day(2025, m, 1), Lang::Es)).collect();
    assert_eq!(
        es.iter().map(|s| &s[2..5]).collect::<Vec<_>>().join(" "),
        "Ene Feb Mar Abr May Jun Jul Ago Sep Oct Nov Dic"
    );
    assert_eq!(date(day(2025, 1, 5), Lang::En), "Jan 5, 2025");
    assert_eq!(month_year(day(2023, 3, 8), Lang::Es), "Marzo 2023");
    assert_eq!(month_year(day(2023, 3, 8), Lang::En), "March 2023");
    assert_eq!(month_year(day(2023, 12, 1), Lang::Es), "Diciembre 2023");
}

#[test]
fn date_ranges() {
    let r = |a, b, l| date_range(a, b, l);
    let (oct1, oct31) = (day(2025, 10, 1), day(2025, 10, 31));
    assert_eq!(r(oct1, oct31, Lang::Es), "1–31 Oct 2025");
    assert_eq!(r(oct1, oct31, Lang::En), "Oct 1–31, 2025");
    assert_eq!(r(day(2025, 9, 1), oct31, Lang::Es), "1 Sep – 31 Oct 2025");
    assert_eq!(r(day(2025, 9, 1), oct31, Lang::En), "Sep 1 – Oct 31, 2025");
    let (dec1, jan31) = (day(2024, 12, 1), day(2025, 1, 31));
    assert_eq!(r(dec1, jan31, Lang::Es), "1 Dic 2024 – 31 Ene 2025");
    assert_eq!(r(dec1, jan31, Lang::En), "Dec 1, 2024 – Jan 31, 2025");
    assert_eq!(r(oct1, oct1, Lang::Es), "1 Oct 2025");
}

#[test]
fn months_and_weeks_go_by_their_names() {
    let p = |a, b, l| period(a, b, l);
    assert_eq!(
        p(day(2025, 11, 1), day(2025, 11, 30), Lang::Es),
        "noviembre 2025"
    );
    assert_eq!(
        p(day(2025, 11, 1), day(2025, 11, 30), Lang::En),
        "November 2025"
    );
    assert_eq!(
        p(day(2024, 2, 1), day(2024, 2, 29), Lang::Es),
        "febrero 2024"
    );
    // A Monday-to-Sunday week.
    let (mon, sun) = (day(2025, 11, 10), day(2025, 11, 16));
    assert_eq!(p(mon, sun, Lang::Es), "semana del 10 al 16 de nov");
    assert_eq!(p(mon, sun, Lang::En), "week of Nov 10–16");
    let (mon, sun) = (day(2025, 10, 27), day(2025, 11, 2));
    assert_eq!(p(mon, sun, Lang::Es), "semana del 27 de oct al 2 de nov");
    assert_eq!(p(mon, sun, Lang::En), "week of Oct 27 – Nov 2");
    // Anything else is a range: a month so far, seven days from a Thursday, two months.
    let so_far = p(day(2025, 11, 1), day(2025, 11, 20), Lang::Es);
    assert_eq!(so_far, "1–20 Nov 2025");
    assert_eq!(
        p(day(2025, 11, 13), day(2025, 11, 19), Lang::En),
        "Nov 13–19, 2025"
    );
    assert_eq!(
        p(day(2025, 9, 1), day(2025, 10, 31), Lang::Es),
        "1 Sep – 31 Oct 2025"
    );
}

#[test]
fn plurals() {
    let cases = [
        (Unit::Year, "1 año", "5 años", "1 year", "5 years"),
        (Unit::Month, "1 mes", "5 meses", "1 month", "5 months"),
        (Unit::Week, "1 semana", "5 semanas", "1 week", "5 weeks"),
        (Unit::Day, "1 día", "5 días", "1 day", "5 days"),
        (
            Unit::Appointment,
            "1 cita",
            "5 citas",
            "1 appointment",
            "5 appointments",
        ),
        (Unit::Order, "1 orden", "5 órdenes", "1 order", "5 orders"),
        (
            Unit::NoShow,
            "1 ausencia",
            "5 ausencias",
            "1 no-show",
            "5 no-shows",
        ),
        (
            Unit::Client,
            "1 cliente",
            "5 clientes",
            "1 client",
            "5 clients",
        ),
        (Unit::Pet, "1 mascota", "5 mascotas", "1 pet", "5 pets"),
        (Unit::Point, "1 punto", "5 puntos", "1 point", "5 points"),
    ];
    for (unit, es1, es5, en1, en5) in cases {
        assert_eq!(count(1, unit, Lang::Es), es1);
        assert_eq!(count(5, unit, Lang::Es), es5);
        assert_eq!(count(1, unit, Lang::En), en1);
        assert_eq!(count(5, unit, Lang::En), en5);
    }
    assert_eq!(count(0, Unit::NoShow, Lang::Es), "0 ausencias");
    assert_eq!(count(120, Unit::Day, Lang::Es), "120 días");
    assert_eq!(count(8, Unit::Order, Lang::Es), "8 órdenes");
    assert_eq!(count(1250, Unit::Point, Lang::Es), "1,250 puntos");
}

#[test]
fn durations() {
    assert_eq!(duration(0, Lang::Es), "hoy");
    assert_eq!(duration(0, Lang::En), "today");
    assert_eq!(duration(1, Lang::Es), "1 día");
    assert_eq!(duration(13, Lang::Es), "13 días");
    assert_eq!(duration(14, Lang::Es), "2 semanas");
    assert_eq!(duration(14, Lang::En), "2 weeks");
    assert_eq!(duration(-21, Lang::Es), "3 semanas");
    assert_eq!(duration(15, Lang::Es), "15 días");
    assert_eq!(duration(56, Lang::Es), "8 semanas");
    assert_eq!(duration(63, Lang::Es), "63 días");
    assert_eq!(in_days(0, Lang::Es), "hoy");
    assert_eq!(in_days(14, Lang::Es), "en 2 semanas");
    assert_eq!(in_days(3, Lang::En), "in 3 days");
    assert_eq!(days_ago(0, Lang::Es), "hoy");
    assert_eq!(days_ago(1, Lang::Es), "ayer");
    assert_eq!(days_ago(1, Lang::En), "yesterday");
    assert_eq!(days_ago(120, Lang::Es), "hace 120 días");
    assert_eq!(days_ago(120, Lang::En), "120 days ago");
}

#[test]
fn pet_ages() {
    let today = day(2025, 11, 20);
    let age = |y, m, d, l| pet_age(day(y, m, d), today, l);
    assert_eq!(age(2020, 6, 1, Lang::Es).as_deref(), Some("5 años"));
    assert_eq!(age(2020, 6, 1, Lang::En).as_deref(), Some("5 years"));
    assert_eq!(age(2024, 11, 20, Lang::Es).as_deref(), Some("1 año"));
    assert_eq!(age(2024, 11, 21, Lang::Es).as_deref(), Some("11 meses"));
    assert_eq!(age(2025, 3, 10, Lang::Es).as_deref(), Some("8 meses"));
    assert_eq!(age(2025, 10, 20, Lang::En).as_deref(), Some("1 month"));
    assert_eq!(age(2025, 10, 30, Lang::Es).as_deref(), Some("3 semanas"));
    assert_eq!(age(2025, 11, 17, Lang::Es).as_deref(), Some("3 días"));
    assert_eq!(age(2025, 11, 20, Lang::Es).as_deref(), Some("0 días"));
    assert_eq!(age(2025, 11, 21, Lang::Es), None);
}

#[test]
fn phones() {
    assert_eq!(phone("+529981234567"), "998-123-4567");
    assert_eq!(phone(" +5219981234567 "), "998-123-4567");
    assert_eq!(phone("+525512345678"), "55-1234-5678");
    assert_eq!(phone("+523312345678"), "33-1234-5678");
    assert_eq!(phone("+521234567890"), "123-456-7890");
    assert_eq!(phone("+14155552671"), "+14155552671");
    assert_eq!(phone("+52998123456"), "+52998123456");
    assert_eq!(phone("+52998123456a"), "+52998123456a");
    assert_eq!(phone("9981234567"), "9981234567");
}

#[test]
fn one_line_flattens_and_cuts() {
    assert_eq!(
        one_line("  Prefiere\n citas\tpor la mañana ", 100),
        "Prefiere citas por la mañana"
    );
    assert_eq!(one_line("abcdef", 6), "abcdef");
    assert_eq!(one_line("abc defg", 6), "abc d…");
    assert_eq!(one_line("abcd  efgh", 6), "abcd…");
    assert_eq!(one_line("ñañañaña", 4), "ñañ…");
}
