// Checks that every metric name the monitoring uses or the docs promise is
// really exported, against scrapes of the running services:
//   (a) the expressions of k8s/monitoring/prometheusrule.yaml (less the
//       recording rules it defines, which must all be defined, and `up`,
//       which Prometheus makes itself);
//   (b) the queries (and variable queries) of k8s/monitoring/dashboards/*.json;
//   (c) the names in inline code in the "Metrics" section of
//       docs/CONFIGURATION.md and of every docs/*.md page that has one
//       (names with the prefixes aftercare_, grpc_, process_; a span with a
//       `*` is a family of names and is skipped).
// A name is exported when a scrape has a sample of it; a histogram's name
// when it has its _bucket (or _count/_sum) series. Every name in none of the
// scrapes is a FAIL line naming where it is used.
//
//   node tests/monitoring/check_metric_names.mjs --source-dir DIR --scrape FILE [--scrape FILE...]
//        [--pending NAME,NAME]     (or env AFTERCARE_PENDING_METRICS)
//   node tests/monitoring/check_metric_names.mjs --self-test
//
// --pending (for a local run only, never committed) turns named misses into
// warnings: names another branch is adding.
// --self-test runs the checker on tests/monitoring/fixtures (a scrape and a
// small source tree with known misses) and requires exactly those reported.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const YAML = createRequire(path.join(repo, "scripts/tooling/package.json"))("yaml");

const PREFIXES = /^(aftercare_|grpc_|process_)/;
// Series Prometheus makes itself, never in a scrape.
const SYNTHETIC = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
  "group_left", "group_right", "inf", "nan", "atan2", "Inf", "NaN"]);

// The metric names of one PromQL expression.
export function promqlNames(expr) {
  let s = String(expr);
  s = s.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`/g, '""'); // strings
  s = s.replace(/\{[^}]*\}/g, " ");                                      // label matchers
  s = s.replace(/\[[^\]]*\]/g, " ");                                     // ranges, subqueries
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " "); // label lists
  s = s.replace(/\boffset\s+-?[0-9a-z]+/g, " ");
  const names = new Set();
  for (const m of s.matchAll(/(?<![\w.:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2]) continue; // a function or an aggregation
    if (KEYWORDS.has(m[1])) continue;
    names.add(m[1]);
  }
  return names;
}

// Grafana variable queries: label_values(SELECTOR, label), query_result(EXPR),
// metrics(REGEX) (no name), or a plain expression.
function grafanaVariableNames(q) {
  const lv = /^\s*label_values\((.*),\s*\w+\s*\)\s*$/s.exec(q);
  if (lv) return promqlNames(lv[1]);
  const qr = /^\s*query_result\((.*)\)\s*$/s.exec(q);
  if (qr) return promqlNames(qr[1]);
  if (/^\s*(label_values\(\s*\w+\s*\)|label_names\(\)|metrics\()/.test(q)) return new Set();
  return promqlNames(q);
}

// name -> Set of places ("rule X", "dashboard F panel Y", "docs/F.md Metrics").
function addUse(uses, name, where) {
  if (!uses.has(name)) uses.set(name, new Set());
  uses.get(name).add(where);
}

export function collectUses(sourceDir) {
  const uses = new Map();
  const problems = [];
  // (a) the rules
  const ruleFile = path.join(sourceDir, "k8s/monitoring/prometheusrule.yaml");
  const rule = YAML.parse(fs.readFileSync(ruleFile, "utf8"));
  const recorded = new Set();
  const rules = (rule?.spec?.groups || []).flatMap((g) => g.rules || []);
  for (const r of rules) if (r.record) recorded.add(r.record);
  for (const r of rules) {
    for (const n of promqlNames(r.expr)) {
      if (recorded.has(n) || SYNTHETIC.has(n)) continue;
      if (n.includes(":")) { problems.push(`${r.alert ? "alert" : "recording rule"} ${r.alert || r.record} uses ${n}, which no recording rule of ${path.relative(sourceDir, ruleFile)} defines`); continue; }
      addUse(uses, n, `rule ${r.alert || r.record}`);
    }
  }
  // (b) the dashboards
  const dashDir = path.join(sourceDir, "k8s/monitoring/dashboards");
  for (const f of fs.existsSync(dashDir) ? fs.readdirSync(dashDir).filter((x) => x.endsWith(".json")).sort() : []) {
    const dash = JSON.parse(fs.readFileSync(path.join(dashDir, f), "utf8"));
    const panels = [];
    const walk = (ps) => { for (const p of ps || []) { panels.push(p); walk(p.panels); } };
    walk(dash.panels);
    let queries = 0;
    for (const p of panels) {
      for (const t of p.targets || []) {
        if (!t.expr) continue;
        queries++;
        for (const n of promqlNames(t.expr)) {
          if (SYNTHETIC.has(n)) continue;
          if (n.includes(":")) { if (!recorded.has(n)) problems.push(`dashboard ${f} panel "${p.title}" uses ${n}, which no recording rule defines`); continue; }
          addUse(uses, n, `dashboard ${f} panel "${p.title}"`);
        }
      }
    }
    for (const v of dash.templating?.list || []) {
      if (v.type !== "query") continue;
      const q = typeof v.query === "string" ? v.query : v.query?.query || "";
      for (const n of grafanaVariableNames(q)) if (!SYNTHETIC.has(n)) addUse(uses, n, `dashboard ${f} variable $${v.name}`);
    }
    if (!queries) problems.push(`dashboard ${f} has no queries: the checker reads panels[].targets[].expr`);
  }
  // (c) the docs
  const docsDir = path.join(sourceDir, "docs");
  for (const f of fs.readdirSync(docsDir).filter((x) => x.endsWith(".md")).sort()) {
    const section = metricsSection(fs.readFileSync(path.join(docsDir, f), "utf8"));
    if (section === null) {
      if (f === "CONFIGURATION.md") problems.push(`docs/${f} has no "## Metrics" section`);
      continue;
    }
    let found = 0;
    for (const n of docNames(section)) { found++; addUse(uses, n, `docs/${f} "Metrics"`); }
    if (!found) problems.push(`docs/${f}: its "Metrics" section names no metric in inline code`);
  }
  return { uses, problems };
}

// The text of the "## Metrics" section (up to the next heading of level 1-2),
// fenced code blocks left out; null when there is none.
function metricsSection(md) {
  const lines = md.split("\n");
  const start = lines.findIndex((l) => /^##\s+Metrics\s*$/.test(l));
  if (start < 0) return null;
  const out = [];
  let fenced = false;
  for (const l of lines.slice(start + 1)) {
    if (/^```/.test(l)) { fenced = !fenced; continue; }
    if (fenced) continue;
    if (/^#{1,2}\s/.test(l)) break;
    out.push(l);
  }
  return out.join("\n");
}

export function docNames(text) {
  const names = new Set();
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    const span = m[1];
    if (span.includes("*")) continue; // a family: grpc_server_*
    const id = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?(\s+\([a-z]+\))?$/.exec(span.trim());
    if (id && PREFIXES.test(id[1])) names.add(id[1]);
  }
  return names;
}

// Names with at least one sample in a scrape (text exposition format).
export function scrapeNames(text) {
  const names = new Set();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

// Label names of a scrape's samples (grpc_code, kind, …): the docs write
// them in inline code too, beside the metric names.
export function scrapeLabelNames(text) {
  const names = new Set();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const braces = /^[a-zA-Z_:][a-zA-Z0-9_:]*\{([^}]*)\}/.exec(line);
    if (!braces) continue;
    for (const m of braces[1].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) names.add(m[1]);
  }
  return names;
}

function exported(name, scraped) {
  if (scraped.has(name)) return true;
  return ["_bucket", "_count", "_sum"].some((s) => scraped.has(name + s));
}

export function check(sourceDir, scrapeTexts, pending) {
  const { uses, problems } = collectUses(sourceDir);
  const scraped = new Set();
  const labels = new Set();
  for (const t of scrapeTexts) for (const n of scrapeNames(t)) scraped.add(n);
  for (const t of scrapeTexts) for (const n of scrapeLabelNames(t)) labels.add(n);
  const missing = [];
  const pendingSeen = [];
  for (const [name, where] of [...uses].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (exported(name, scraped)) continue;
    // A label name that only the docs mention is not a metric.
    if (labels.has(name) && [...where].every((w) => w.startsWith("docs/"))) continue;
    const line = `${name} is in no scrape; used in: ${[...where].join("; ")}`;
    if (pending.has(name)) pendingSeen.push(line);
    else missing.push(line);
  }
  return { problems, missing, pendingSeen, checked: uses.size };
}

function selfTest() {
  const fx = path.join(here, "fixtures");
  const scrape = fs.readFileSync(path.join(fx, "scrape.txt"), "utf8");
  const failures = [];
  const r = check(path.join(fx, "src"), [scrape], new Set(["aftercare_pending_total"]));
  const missingNames = r.missing.map((l) => l.split(" ")[0]).sort();
  const want = ["aftercare_dashboard_only", "aftercare_doc_only_total", "aftercare_rule_only_total", "aftercare_variable_only"];
  if (JSON.stringify(missingNames) !== JSON.stringify(want)) {
    failures.push(`missing names: expected ${want.join(", ")}; got ${missingNames.join(", ") || "none"}`);
  }
  const where = (n) => r.missing.find((l) => l.startsWith(`${n} `)) || "";
  if (!where("aftercare_rule_only_total").includes("rule FixtureAlert")) failures.push(`the rule's miss does not name the alert: ${where("aftercare_rule_only_total")}`);
  if (!where("aftercare_dashboard_only").includes('panel "Fixture panel"')) failures.push(`the dashboard's miss does not name the panel: ${where("aftercare_dashboard_only")}`);
  if (!where("aftercare_doc_only_total").includes('docs/fixture-svc.md "Metrics"')) failures.push(`the doc's miss does not name the page: ${where("aftercare_doc_only_total")}`);
  if (r.pendingSeen.length !== 1 || !r.pendingSeen[0].startsWith("aftercare_pending_total ")) failures.push(`the pending name is not reported as pending: ${JSON.stringify(r.pendingSeen)}`);
  if (!r.problems.some((p) => p.includes("aftercare:undefined:rate5m"))) failures.push(`an undefined recording rule is not reported: ${JSON.stringify(r.problems)}`);
  // Nothing with a sample (the histogram by its _bucket series), no label,
  // keyword, function, string or recording rule is reported.
  for (const l of [...r.missing, ...r.problems]) {
    for (const ok of ["aftercare_fixture_seconds", "aftercare_fixture_total", "namespace", "job", "by ", "sum", "rate", "aftercare:fixture:rate5m", "pool_timeout", "grpc_server_*", "up ", "grpc_method "]) {
      if (l.startsWith(ok)) failures.push(`reported although fine: ${l}`);
    }
  }
  // Unit checks of the parsers.
  const n = [...promqlNames('sum by (namespace, job) (rate(a_total{x="b_total",le=~"c"}[5m] offset 1h)) / on (job) group_left (kind) max(b_gauge) > bool 0.5 unless absent(c_metric{y=\'z\'})')].sort();
  if (JSON.stringify(n) !== JSON.stringify(["a_total", "b_gauge", "c_metric"])) failures.push(`promqlNames: got ${n.join(", ")}`);
  const d = [...docNames("`aftercare_a_total{kind}` (`connection`, `pool_timeout`), `grpc_server_*`, `--metrics_port`, `aftercare_b` (gauge), `aftercare_inventory`")].sort();
  if (JSON.stringify(d) !== JSON.stringify(["aftercare_a_total", "aftercare_b", "aftercare_inventory"])) failures.push(`docNames: got ${d.join(", ")}`);
  for (const f of failures) console.log(`FAIL self-test: ${f}`);
  console.log(`metric names self-test: ${failures.length ? `${failures.length} failure(s)` : "the fixture's misses are reported, nothing else"}`);
  return failures.length ? 1 : 0;
}

function main(argv) {
  if (argv.includes("--self-test")) return selfTest();
  let sourceDir = repo;
  const scrapes = [];
  let pending = process.env.AFTERCARE_PENDING_METRICS || "";
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--source-dir") sourceDir = argv[++i];
    else if (argv[i] === "--scrape") scrapes.push(argv[++i]);
    else if (argv[i] === "--pending") pending = argv[++i];
    else { console.error(`unknown argument ${argv[i]}`); return 2; }
  }
  if (!scrapes.length) { console.error("give at least one --scrape FILE"); return 2; }
  const texts = scrapes.map((f) => fs.readFileSync(f, "utf8"));
  const pendingSet = new Set(pending.split(/[\s,]+/).filter(Boolean));
  const r = check(path.resolve(sourceDir), texts, pendingSet);
  for (const p of r.problems) console.log(`FAIL ${p}`);
  for (const m of r.missing) console.log(`FAIL ${m}`);
  for (const m of r.pendingSeen) console.log(`pending (not failed, --pending): ${m}`);
  console.log(`metric names: ${r.checked} checked against ${scrapes.length} scrape(s): ${r.missing.length} missing, ${r.pendingSeen.length} pending, ${r.problems.length} other problem(s)`);
  return r.problems.length || r.missing.length ? 1 : 0;
}

process.exit(main(process.argv.slice(2)));
