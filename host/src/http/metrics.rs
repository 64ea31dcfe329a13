//! `GET /metrics`: the service's figures in the OpenMetrics text format Prometheus scrapes,
//! encoded by `prometheus-client` (names, types, help, label escaping) from one snapshot of
//! the counters the call flow, the policy runtime and the HTTP layer keep themselves.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::app::AppState;
use crate::calls::{CallCenter, CompanyId, Histogram, LATENCY_BUCKETS_US, QUEUE_BUCKETS_MS};

/// The media type of the answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Labels of one series: (name, value) pairs in order.
type Labels = Vec<(&'static str, String)>;

/// One family: its name (without the `_total` a counter gets), help, type and series.
#[derive(Debug)]
struct Family {
    name: &'static str,
    help: &'static str,
    series: Series,
}

/// The series of a family, all of one type.
#[derive(Debug)]
enum Series {
    Counters(Vec<(Labels, u64)>),
    Gauges(Vec<(Labels, u64)>),
    Histograms(&'static [u64], Vec<(Labels, Histogram)>),
}

/// Every figure as read at one scrape.
#[derive(Debug)]
struct Scrape(Vec<Family>);

/// The metrics text of `state` now.
pub fn render(state: &AppState) -> Result<String, std::fmt::Error> {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Scrape::of(state)));
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &registry)?;
    Ok(out)
}

impl Scrape {
    /// Reads every figure of `state`.
    fn of(state: &AppState) -> Self {
        let calls = state.calls();
        let mut families = decision_families(&calls);
        families.extend(cache_families(&calls.policies().cache_stats()));
        families.extend(wait_families(&calls));
        families.push(Family {
            name: "switchyard_http_requests",
            help: "HTTP requests by method, route and status.",
            series: Series::Counters(
                state
                    .http_metrics()
                    .snapshot()
                    .into_iter()
                    .map(|((method, route, status), n)| {
                        let labels = vec![
                            ("method", method),
                            ("route", route),
                            ("status", status.to_string()),
                        ];
                        (labels, n)
                    })
                    .collect(),
            ),
        });
        families.push(Family {
            name: "switchyard_live_calls",
            help: "Calls in progress.",
            series: Series::Gauges(vec![(Vec::new(), calls.live_count() as u64)]),
        });
        Self(families)
    }
}

/// The `company` label.
fn company(id: CompanyId) -> (&'static str, String) {
    ("company", id.to_string())
}

/// Decisions, fallbacks and policy failures.
fn decision_families(calls: &CallCenter) -> Vec<Family> {
    let m = calls.metrics();
    vec![
        Family {
            name: "switchyard_decisions",
            help: "Routing decisions by company and outcome.",
            series: Series::Counters(
                m.decisions()
                    .into_iter()
                    .map(|((c, outcome), n)| (vec![company(c), ("outcome", outcome)], n))
                    .collect(),
            ),
        },
        Family {
            name: "switchyard_policy_fallbacks",
            help: "Decisions that used the built-in fallback because the policy failed.",
            series: Series::Counters(
                m.fallbacks()
                    .into_iter()
                    .map(|(c, n)| (vec![company(c)], n))
                    .collect(),
            ),
        },
        Family {
            name: "switchyard_policy_failures",
            help: "Policy failures by kind.",
            series: Series::Counters(
                calls
                    .policies()
                    .engine()
                    .failure_counters()
                    .snapshot()
                    .into_iter()
                    .map(|(kind, n)| (vec![("kind", kind.as_str().to_owned())], n))
                    .collect(),
            ),
        },
    ]
}

/// Queue lengths, policy latency and queue waits.
fn wait_families(calls: &CallCenter) -> Vec<Family> {
    let m = calls.metrics();
    vec![
        Family {
            name: "switchyard_queue_length",
            help: "Calls waiting per company and department.",
            series: Series::Gauges(
                calls
                    .queues()
                    .lengths()
                    .into_iter()
                    .map(|((c, d), n)| (vec![company(c), ("department", d.to_string())], n as u64))
                    .collect(),
            ),
        },
        Family {
            name: "switchyard_policy_latency_us",
            help: "Policy invocation time by company and policy version, microseconds.",
            series: Series::Histograms(
                &LATENCY_BUCKETS_US,
                m.latencies()
                    .into_iter()
                    .map(|((c, policy), h)| (vec![company(c), ("policy", policy)], h))
                    .collect(),
            ),
        },
        Family {
            name: "switchyard_queue_wait_ms",
            help: "Time queued calls waited until offered or timed out, milliseconds.",
            series: Series::Histograms(
                &QUEUE_BUCKETS_MS,
                m.queue_waits()
                    .into_iter()
                    .map(|(c, h)| (vec![company(c)], h))
                    .collect(),
            ),
        },
    ]
}

/// The policy cache's figures, each a family of one unlabelled series.
fn cache_families(cache: &crate::calls::CacheStats) -> Vec<Family> {
    let counter = |name, help, n| Family {
        name,
        help,
        series: Series::Counters(vec![(Vec::new(), n)]),
    };
    let gauge = |name, help, n| Family {
        name,
        help,
        series: Series::Gauges(vec![(Vec::new(), n)]),
    };
    vec![
        counter(
            "switchyard_policy_cache_hits",
            "Decisions whose policy was in memory.",
            cache.hits,
        ),
        counter(
            "switchyard_policy_cache_misses",
            "Decisions that loaded their policy (first use, or evicted before).",
            cache.misses,
        ),
        counter(
            "switchyard_policy_cache_evictions",
            "Policies dropped from memory to stay within --policy-cache.",
            cache.evictions,
        ),
        counter(
            "switchyard_policy_load_failures",
            "Policy loads that failed (those decisions got the built-in fallback).",
            cache.load_failures,
        ),
        gauge(
            "switchyard_policy_cache_entries",
            "Company policy versions in memory.",
            cache.entries,
        ),
        gauge(
            "switchyard_policy_cache_capacity",
            "The bound on company policy versions in memory (--policy-cache).",
            cache.capacity,
        ),
        gauge(
            "switchyard_policy_cache_bytes",
            "Bytes of the compiled policy images in memory.",
            cache.bytes,
        ),
        gauge(
            "switchyard_policy_cache_budget_bytes",
            "The bound on those bytes (--policy-cache-mib).",
            cache.budget,
        ),
    ]
}

impl Collector for Scrape {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        for family in &self.0 {
            let kind = match family.series {
                Series::Counters(_) => MetricType::Counter,
                Series::Gauges(_) => MetricType::Gauge,
                Series::Histograms(..) => MetricType::Histogram,
            };
            let mut metric = encoder.encode_descriptor(family.name, family.help, None, kind)?;
            match &family.series {
                Series::Counters(series) => {
                    for (labels, n) in series {
                        labelled(&mut metric, labels)?
                            .encode_counter::<NoLabelSet, _, u64>(n, None)?;
                    }
                }
                Series::Gauges(series) => {
                    for (labels, n) in series {
                        labelled(&mut metric, labels)?.encode_gauge(n)?;
                    }
                }
                Series::Histograms(bounds, series) => {
                    for (labels, h) in series {
                        encode_histogram(labelled(&mut metric, labels)?, bounds, h)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The encoder of one series of `metric`'s family: with `labels`, or unlabelled.
fn labelled<'a>(
    metric: &'a mut MetricEncoder<'_>,
    labels: &'a Labels,
) -> Result<MetricEncoder<'a>, std::fmt::Error> {
    metric.encode_family(labels)
}

/// One histogram: cumulative buckets at `bounds` and +Inf, sum and count.
fn encode_histogram(
    mut metric: MetricEncoder<'_>,
    bounds: &[u64],
    h: &Histogram,
) -> Result<(), std::fmt::Error> {
    let mut cumulative = 0;
    let mut buckets: Vec<(f64, u64)> = bounds
        .iter()
        .zip(h.buckets)
        .map(|(bound, n)| {
            cumulative += n;
            (*bound as f64, n)
        })
        .collect();
    buckets.push((f64::INFINITY, h.count.saturating_sub(cumulative)));
    metric.encode_histogram::<NoLabelSet>(h.sum_us as f64, h.count, &buckets, None)
}
