use super::*;

/// Decodes a PNG and returns its size and RGB pixels.
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a valid PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a valid PNG frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// `VETBOT_CHART_DIR=dir cargo test -p bot charts` keeps the test charts to look at.
fn keep(name: &str, png: &Png) {
    if let Ok(dir) = std::env::var("VETBOT_CHART_DIR") {
        std::fs::write(std::path::Path::new(&dir).join(name), &png.bytes).unwrap();
    }
}

fn pixels_of(rgb: &[u8], color: plotters::style::RGBColor) -> usize {
    rgb.chunks_exact(3)
        .filter(|p| p[0] == color.0 && p[1] == color.1 && p[2] == color.2)
        .count()
}

/// Dark (text) pixels in the top band of rows `0..rows`.
fn dark_pixels_in_top(rgb: &[u8], width: u32, rows: u32) -> usize {
    rgb[..(width * rows * 3) as usize]
        .chunks_exact(3)
        .filter(|p| p.iter().all(|c| *c < 120))
        .count()
}

fn week() -> Comparison {
    Comparison {
        title: "Ingresos: esta semana vs la anterior".into(),
        unit: Unit::Money,
        labels: ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"]
            .map(String::from)
            .to_vec(),
        current: vec![12_450.0, 8_300.0, 15_000.0, 9_999.5, 20_100.0, 4_000.0, 0.0],
        previous: vec![
            10_000.0, 9_100.0, 11_250.0, 13_400.0, 18_000.0, 6_500.0, 1_200.0,
        ],
        current_name: "Esta semana".into(),
        previous_name: "Semana anterior".into(),
    }
}

#[test]
fn a_comparison_is_a_phone_sized_png_with_both_periods_and_a_title() {
    let png = week().render().unwrap();
    keep("week.png", &png);
    assert_eq!(&png.bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!((png.width, png.height), SIZE);
    assert!(png.bytes.len() < 300 * 1024, "{} bytes", png.bytes.len());
    let (w, h, rgb) = decode(&png.bytes);
    assert_eq!((w, h), SIZE);
    // Both periods' bars are drawn, in proportion to their totals (± antialiasing).
    let (cur, prev) = (
        pixels_of(&rgb, palette::CURRENT),
        pixels_of(&rgb, palette::PREVIOUS),
    );
    assert!(
        cur > 20_000 && prev > 20_000,
        "current {cur}, previous {prev} px"
    );
    let ratio = cur as f64 / prev as f64;
    let expected = week().current.iter().sum::<f64>() / week().previous.iter().sum::<f64>();
    assert!((ratio - expected).abs() < 0.1, "{ratio} vs {expected}");
    // The title's glyphs are in the top band.
    assert!(dark_pixels_in_top(&rgb, w, 90) > 500);
}

#[test]
fn many_buckets_and_zero_periods_still_render() {
    let days = 31;
    let month = Comparison {
        labels: (1..=days).map(|d| format!("{d} nov")).collect(),
        current: (0..days).map(|d| f64::from(d * 100)).collect(),
        previous: vec![0.0; days as usize],
        ..week()
    };
    let png = month.render().unwrap();
    keep("month.png", &png);
    let (_, _, rgb) = decode(&png.bytes);
    assert!(pixels_of(&rgb, palette::CURRENT) > 10_000);
    let nothing = Comparison {
        current: vec![0.0; 7],
        previous: vec![0.0; 7],
        unit: Unit::Count,
        ..week()
    };
    assert!(
        nothing.render().is_ok(),
        "an empty week is a chart of zeros"
    );
}

#[test]
fn mismatched_or_empty_series_are_an_error_not_a_panic() {
    let short = Comparison {
        current: vec![1.0],
        ..week()
    };
    assert!(matches!(short.render(), Err(ChartError::Empty)));
    let none = Comparison {
        labels: vec![],
        current: vec![],
        previous: vec![],
        ..week()
    };
    assert!(matches!(none.render(), Err(ChartError::Empty)));
    let odd = Comparison {
        current: vec![f64::NAN, -5.0, f64::INFINITY, 1.0, 2.0, 3.0, 4.0],
        ..week()
    };
    assert!(
        odd.render().is_ok(),
        "NaN, negative and infinite values draw as zero"
    );
}

#[test]
fn a_ranking_draws_one_bar_per_item_largest_longest() {
    let top = Ranking {
        title: "Productos más vendidos".into(),
        unit: Unit::Money,
        rows: vec![
            (
                "Royal Canin Medium Adult 15 kg con nombre muy largo".into(),
                42_000.0,
            ),
            ("Vacuna antirrábica".into(), 21_000.0),
            ("Desparasitante".into(), 10_500.0),
        ],
    };
    let png = top.render().unwrap();
    keep("top.png", &png);
    let (w, h, rgb) = decode(&png.bytes);
    assert_eq!((w, h), SIZE);
    let bar_px = pixels_of(&rgb, palette::CURRENT);
    assert!(bar_px > 30_000, "{bar_px}");
    // Each row's bar length is proportional: scan the row through each bar's centre.
    let lengths: Vec<usize> = bar_rows(&rgb, w, h);
    assert_eq!(lengths.len(), 3, "{lengths:?}");
    let (a, b, c) = (lengths[0] as f64, lengths[1] as f64, lengths[2] as f64);
    assert!(
        (a / b - 2.0).abs() < 0.05 && (b / c - 2.0).abs() < 0.05,
        "{lengths:?}"
    );
    let none = Ranking {
        rows: vec![],
        ..top
    };
    assert!(matches!(none.render(), Err(ChartError::Empty)));
}

/// The longest run of bar-coloured pixels of each horizontal band of bars, top to bottom.
fn bar_rows(rgb: &[u8], w: u32, h: u32) -> Vec<usize> {
    let run = |y: u32| {
        (0..w)
            .filter(|x| {
                let i = ((y * w + x) * 3) as usize;
                rgb[i..i + 3] == [palette::CURRENT.0, palette::CURRENT.1, palette::CURRENT.2]
            })
            .count()
    };
    let mut bands = Vec::new();
    let mut current: Option<usize> = None;
    for y in 0..h {
        let r = run(y);
        match (r > 0, current) {
            (true, c) => current = Some(c.unwrap_or(0).max(r)),
            (false, Some(c)) => {
                bands.push(c);
                current = None;
            }
            (false, None) => {}
        }
    }
    bands.extend(current);
    bands
}

mod report {
    use super::super::*;
    use crate::crm::reports::series::Series;
    use crate::domain::Lang;
    use crate::render::cards::{
        Figure, ItemLabel, Period, ReportCard, ReportKind, ReportMetric, ReportRow, TopItem,
    };
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    fn card(kind: ReportKind, rows: Vec<ReportRow>, top_items: Vec<TopItem>) -> ReportCard {
        ReportCard {
            kind,
            period: Period {
                start: d(11, 1),
                end: d(11, 20),
            },
            previous_period: Some(Period {
                start: d(10, 12),
                end: d(10, 31),
            }),
            rows,
            top_items,
        }
    }

    fn row(metric: ReportMetric, current: Figure, previous: Figure) -> ReportRow {
        ReportRow {
            metric,
            current,
            previous: Some(previous),
        }
    }

    #[test]
    fn a_week_or_a_month_names_its_bars_in_the_legend() {
        let mut c = card(ReportKind::Appointments, vec![], vec![]);
        c.period = Period {
            start: d(11, 10),
            end: d(11, 16),
        };
        c.previous_period = Some(Period {
            start: d(11, 3),
            end: d(11, 9),
        });
        let s = Series::bucket(d(11, 3), d(11, 10), d(11, 16), []);
        let legend = |c: &ReportCard, lang| match for_report(c, Some(&s), lang) {
            Some(Chart::Comparison(x)) => (x.current_name, x.previous_name),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            legend(&c, Lang::Es),
            (
                "semana del 10 al 16 de nov".to_string(),
                "semana del 3 al 9 de nov".to_string()
            )
        );
        assert_eq!(
            legend(&c, Lang::En),
            (
                "week of Nov 10–16".to_string(),
                "week of Nov 3–9".to_string()
            )
        );
        c.period = Period {
            start: d(10, 1),
            end: d(10, 31),
        };
        c.previous_period = Some(Period {
            start: d(8, 31),
            end: d(9, 30),
        });
        // A month against the 31 days before it: the month by name, the rest as before.
        assert_eq!(
            legend(&c, Lang::En),
            ("October 2025".to_string(), "Previous period".to_string())
        );
    }

    #[test]
    fn a_report_with_a_series_is_charted_by_bucket_in_the_staff_members_language() {
        let s = Series::bucket(
            d(10, 12),
            d(11, 1),
            d(11, 20),
            [(d(11, 3), dec!(1500.50)), (d(10, 14), dec!(900))],
        );
        let c = card(ReportKind::Revenue, vec![], vec![]);
        let Some(Chart::Comparison(es)) = for_report(&c, Some(&s), Lang::Es) else {
            panic!()
        };
        assert_eq!(es.title, "Ingresos por día");
        assert_eq!(
            (
                es.labels.len(),
                es.labels[0].as_str(),
                es.labels[2].as_str()
            ),
            (20, "1 Nov", "3 Nov")
        );
        assert_eq!((es.current[2], es.previous[2]), (1500.5, 900.0));
        assert_eq!(es.unit, Unit::Money);
        let Some(Chart::Comparison(en)) = for_report(&c, Some(&s), Lang::En) else {
            panic!()
        };
        assert_eq!(
            (
                en.title.as_str(),
                en.labels[0].as_str(),
                en.current_name.as_str()
            ),
            ("Revenue by day", "Nov 1", "This period")
        );
        assert!(Chart::Comparison(en).render().is_ok());
    }

    #[test]
    fn a_top_list_is_a_ranking_and_retention_compares_its_rates() {
        let top = vec![
            TopItem {
                label: ItemLabel::Name("Royal Canin 15 kg".into()),
                figure: Figure::Money(dec!(42000)),
            },
            TopItem {
                label: ItemLabel::Name("Vacuna".into()),
                figure: Figure::Money(dec!(21000)),
            },
        ];
        let products = card(ReportKind::Products, vec![], top);
        let Some(Chart::Ranking(r)) = for_report(&products, None, Lang::Es) else {
            panic!()
        };
        assert_eq!(
            (r.title.as_str(), r.unit, r.rows[0].1),
            ("Más vendidos", Unit::Money, 42000.0)
        );
        let retention = card(
            ReportKind::Retention,
            vec![
                row(
                    ReportMetric::RetentionRate,
                    Figure::Percent(61.5),
                    Figure::Percent(58.0),
                ),
                row(
                    ReportMetric::ActiveClients,
                    Figure::Count(120),
                    Figure::Count(110),
                ),
                row(
                    ReportMetric::ChurnRate,
                    Figure::Percent(38.5),
                    Figure::Percent(42.0),
                ),
            ],
            vec![],
        );
        let Some(Chart::Comparison(c)) = for_report(&retention, None, Lang::Es) else {
            panic!()
        };
        assert_eq!(c.unit, Unit::Percent);
        assert_eq!(c.labels.len(), 2, "only the percentages: {:?}", c.labels);
        assert_eq!(
            (c.current.clone(), c.previous.clone()),
            (vec![61.5, 38.5], vec![58.0, 42.0])
        );
        assert!(Chart::Comparison(c).render().is_ok());
        assert_eq!(
            for_report(&card(ReportKind::Customers, vec![], vec![]), None, Lang::Es),
            None
        );
    }
}

#[test]
fn axis_labels_are_compact() {
    assert_eq!(axis_label(200_000_000.0, Unit::Money), "$200M");
    assert_eq!(axis_label(1_500_000.0, Unit::Money), "$1.5M");
    assert_eq!(axis_label(150_000.0, Unit::Count), "150k");
    assert_eq!(axis_label(9_999.0, Unit::Money), "$9,999");
    assert_eq!(axis_label(45.0, Unit::Percent), "45%");
}

mod campaigns {
    use super::super::*;
    use super::decode;
    use crate::domain::Lang;
    use crate::render::cards::{Arm, CampaignResultsCard, ComeBack};

    fn results(holdout: i64, came_back: Vec<ComeBack>) -> CampaignResultsCard {
        CampaignResultsCard {
            campaign_id: 3,
            name: "Reactivación".into(),
            status: "sent".into(),
            started_on: chrono::NaiveDate::from_ymd_opt(2025, 9, 1),
            targeted: 120,
            sent: 100,
            delivered: 90,
            read: 60,
            failed: vec![],
            needs_template: 0,
            skipped: vec![],
            unknown: 0,
            waiting: 0,
            replied: 15,
            opted_out: 1,
            holdout,
            came_back,
        }
    }

    fn window(days: i64, targets: (i64, i64), holdout: (i64, i64)) -> ComeBack {
        ComeBack {
            days,
            complete: true,
            targets: Arm {
                n: targets.0,
                returned: targets.1,
            },
            holdout: Arm {
                n: holdout.0,
                returned: holdout.1,
            },
            difference: None,
        }
    }

    #[test]
    fn a_campaign_with_a_holdout_charts_who_came_back_in_each_window() {
        let card = results(
            20,
            vec![
                window(30, (120, 30), (20, 2)),
                window(60, (120, 48), (20, 5)),
            ],
        );
        let Some(Chart::Comparison(c)) = for_campaign(&card, Lang::Es) else {
            panic!("a comparison")
        };
        assert_eq!(c.unit, Unit::Percent);
        assert_eq!(c.labels, ["30 días", "60 días"]);
        assert_eq!(c.current, [25.0, 40.0]);
        assert_eq!(c.previous, [10.0, 25.0]);
        assert_eq!(
            (c.current_name.as_str(), c.previous_name.as_str()),
            ("Campaña", "Grupo de control")
        );
        let png = Chart::Comparison(c).render().unwrap();
        let (w, h, _) = decode(&png.bytes);
        assert_eq!((w, h), SIZE);
        assert!(png.bytes.len() > 5_000 && png.bytes.len() < 2_000_000);
    }

    #[test]
    fn without_a_holdout_the_chart_is_the_sends_funnel_and_nothing_before_a_send() {
        let card = results(0, vec![window(30, (120, 30), (0, 0))]);
        let Some(Chart::Ranking(r)) = for_campaign(&card, Lang::En) else {
            panic!("a ranking")
        };
        let values: Vec<f64> = r.rows.iter().map(|(_, v)| *v).collect();
        assert_eq!(values, [120.0, 100.0, 90.0, 60.0, 15.0]);
        assert_eq!(r.rows[0].0, "Targeted");
        let png = Chart::Ranking(r).render().unwrap();
        assert_eq!(decode(&png.bytes).0, SIZE.0);
        let draft = CampaignResultsCard {
            sent: 0,
            ..results(0, vec![])
        };
        assert_eq!(for_campaign(&draft, Lang::Es), None);
    }
}
