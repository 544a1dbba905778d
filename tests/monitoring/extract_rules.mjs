// The Prometheus rules of the suite live in one place, the PrometheusRule of
// k8s/monitoring/prometheusrule.yaml. This writes its `spec` (the rule
// groups) as a plain Prometheus rules file for promtool, and, given the unit
// test files, checks that every alert is tested both ways: at least one
// alert_rule_test expects it to fire (non-empty exp_alerts) and at least one
// expects it to stay silent (empty exp_alerts).
//
//   node tests/monitoring/extract_rules.mjs --source-dir DIR --out rules.yaml [TEST.yaml...]
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const argv = process.argv.slice(2);
let sourceDir = null;
let out = null;
const tests = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--source-dir") sourceDir = argv[++i];
  else if (argv[i] === "--out") out = argv[++i];
  else tests.push(argv[i]);
}
if (!sourceDir || !out) {
  console.error("usage: extract_rules.mjs --source-dir DIR --out FILE [TEST.yaml...]");
  process.exit(2);
}
const YAML = createRequire(path.join(path.resolve(sourceDir), "scripts/tooling/package.json"))("yaml");

const ruleFile = path.join(sourceDir, "k8s/monitoring/prometheusrule.yaml");
const rule = YAML.parse(fs.readFileSync(ruleFile, "utf8"));
const problems = [];
if (rule?.kind !== "PrometheusRule" || !Array.isArray(rule?.spec?.groups)) {
  console.error(`FAIL ${ruleFile}: not a PrometheusRule with spec.groups`);
  process.exit(1);
}
fs.writeFileSync(out, YAML.stringify({ groups: rule.spec.groups }, { lineWidth: 0 }));

const alerts = rule.spec.groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => r.alert));
if (tests.length) {
  const fires = new Set();
  const silent = new Set();
  for (const t of tests) {
    const doc = YAML.parse(fs.readFileSync(t, "utf8"));
    for (const test of doc.tests || []) {
      for (const a of test.alert_rule_test || []) {
        ((a.exp_alerts || []).length ? fires : silent).add(a.alertname);
      }
    }
  }
  for (const a of alerts) {
    if (!fires.has(a)) problems.push(`alert ${a}: no promtool test expects it to fire`);
    if (!silent.has(a)) problems.push(`alert ${a}: no promtool test expects it to stay silent`);
  }
  for (const a of new Set([...fires, ...silent])) {
    if (!alerts.includes(a)) problems.push(`the tests expect an alert ${a} that ${ruleFile} does not define`);
  }
}
for (const p of problems) console.log(`FAIL ${p}`);
console.log(`${alerts.length} alerts in ${rule.spec.groups.length} groups written to ${out}` +
  (tests.length ? `; every alert tested firing and silent: ${problems.length ? "no" : "yes"}` : ""));
process.exit(problems.length ? 1 : 0);
