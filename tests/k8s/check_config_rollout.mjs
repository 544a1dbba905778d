// Proves that a configuration change rolls the pods. A Deployment rolls
// only when its pod template changes; kustomize names each generated
// ConfigMap and Secret <name>-<hash of its content> and rewrites the
// references, so a changed value must give a new pod template to exactly the
// workloads that read it.
//
// Copies k8s/ to a temporary directory, changes one value at a time (a base
// setting, each overlay's patch of the settings, a dev Secret), renders the
// overlay again with `kubectl kustomize` and compares every pod template with
// the unchanged render: the workloads that read the value must have a new
// one (naming a new ConfigMap or Secret), all others the same one.
//
//   node tests/k8s/check_config_rollout.mjs --source-dir DIR
// Run by tests/k8s/check_manifests.sh. Exits non-zero with a FAIL line per
// problem.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const argv = process.argv.slice(2);
const sourceDir = path.resolve(argv[argv.indexOf("--source-dir") + 1] || ".");
const YAML = createRequire(path.join(sourceDir, "scripts/tooling/package.json"))("yaml");

const SERVICES = ["inventory-svc", "case-svc", "rma-svc", "licensing-svc"];
const deployments = (names) => names.map((n) => `Deployment/${n}`);

// Sets data.<key> of a ConfigMap patch file (YAML) to `value`.
const setPatchValue = (key, value) => (text) => {
  const doc = YAML.parseDocument(text);
  doc.setIn(["data", key], value);
  return doc.toString();
};

// [what, file under k8s/, edit(text) -> text, overlays, workloads whose pod
// template must change (all others must not)].
const CASES = [
  ["nothing changed (the renders are deterministic)", null, null, ["dev", "prod", "prod-galera"], []],
  ["a base setting of case-svc (config.env)", "base/case-svc/config.env",
    (t) => t.replace(/^AFTERCARE_MAX_CONNECTION_AGE=.*$/m, "AFTERCARE_MAX_CONNECTION_AGE=6m"),
    ["dev", "prod"], deployments(["case-svc"])],
  ["the dev overlay's patch of every service's settings", "overlays/dev/config-dev.yaml",
    setPatchValue("AFTERCARE_DB_POOL_SIZE", "5"), ["dev"], deployments(SERVICES)],
  ["the prod overlay's patch of every service's settings", "overlays/prod/config-prod.yaml",
    setPatchValue("AFTERCARE_LOG_LEVEL", "warning"), ["prod", "prod-galera"], deployments(SERVICES)],
  // The Galera nodes the services connect to (k8s/components/galera).
  ["the Galera node list", "components/galera/mysql-hosts.yaml",
    setPatchValue("AFTERCARE_MYSQL_HOST", "mariadb-2.mariadb-internal:3306,mariadb-0.mariadb-internal:3306,mariadb-1.mariadb-internal:3306"),
    ["prod-galera"], deployments(SERVICES)],
  ["a dev Secret (rma-svc's database password)", "overlays/dev/kustomization.yaml",
    (t) => t.replace("password=dev-only-rma-password", "password=dev-only-rma-password-2"),
    ["dev"], [...deployments(["rma-svc"]), "StatefulSet/mariadb"]],
  // The SMTP relay is read by the services that send e-mail, not inventory-svc.
  ["the dev SMTP Secret (the relay's URL)", "overlays/dev/kustomization.yaml",
    (t) => t.replace(/^      - url=$/m, "      - url=smtp://mail-sink.aftercare.svc.cluster.local:2525"),
    ["dev"], deployments(["case-svc", "rma-svc", "licensing-svc"])],
  ["the prod overlay's patch of the notifying services' settings", "overlays/prod/notify-prod.yaml",
    setPatchValue("AFTERCARE_MESSAGE_ID_DOMAIN", "mail.example.com"), ["prod"],
    deployments(["case-svc", "rma-svc", "licensing-svc"])],
];

function render(k8sDir, overlay) {
  const text = execFileSync("kubectl", ["kustomize", path.join(k8sDir, "overlays", overlay)],
                            { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const templates = new Map();  // Kind/name -> pod template (JSON)
  for (const d of YAML.parseAllDocuments(text)) {
    const o = d.toJSON();
    if (o?.spec?.template) templates.set(`${o.kind}/${o.metadata.name}`, o.spec.template);
  }
  return templates;
}

// The ConfigMaps and Secrets a pod template references, by name.
function referencedNames(template) {
  const names = new Set();
  JSON.stringify(template, (k, v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      for (const ref of [v.configMapRef, v.secretRef, v.configMapKeyRef, v.secretKeyRef, v.configMap]) {
        if (ref?.name) names.add(ref.name);
      }
      if (v.secret?.secretName) names.add(v.secret.secretName);
    }
    return v;
  });
  return names;
}

const failures = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), "aftercare-rollout-"));
try {
  const pristine = path.join(work, "k8s");
  fs.cpSync(path.join(sourceDir, "k8s"), pristine, { recursive: true });
  const baseline = {};
  for (const overlay of ["dev", "prod", "prod-galera"]) baseline[overlay] = render(pristine, overlay);

  for (const [what, file, edit, overlays, mustChange] of CASES) {
    const copy = path.join(work, "edited");
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(pristine, copy, { recursive: true });
    if (file) {
      const f = path.join(copy, file);
      const before = fs.existsSync(f) ? fs.readFileSync(f, "utf8") : null;
      const after = before === null ? null : edit(before);
      if (after === before) {
        failures.push(`${what}: the edit of k8s/${file} did not apply (the file moved or changed?): update tests/k8s/check_config_rollout.mjs`);
        continue;
      }
      fs.writeFileSync(f, after);
    }
    for (const overlay of overlays) {
      let templates;
      try {
        templates = render(copy, overlay);
      } catch (e) {
        failures.push(`${what}: kubectl kustomize overlays/${overlay} failed after the edit: ${e.stderr || e.message}`);
        continue;
      }
      const changed = [];
      for (const [id, tpl] of baseline[overlay]) {
        const now = templates.get(id);
        if (!now) { failures.push(`${what} [${overlay}]: ${id} is no longer rendered`); continue; }
        const differs = JSON.stringify(now) !== JSON.stringify(tpl);
        if (differs) changed.push(id);
        if (mustChange.includes(id) && !differs) {
          failures.push(`${what} [${overlay}]: ${id}'s pod template did not change, so its pods would not roll (is the ConfigMap/Secret generated with a content hash?)`);
        } else if (!mustChange.includes(id) && differs) {
          failures.push(`${what} [${overlay}]: ${id}'s pod template changed, but it does not read the changed value`);
        }
      }
      for (const id of mustChange) {
        if (!baseline[overlay].has(id)) failures.push(`${what} [${overlay}]: ${id} is not rendered`);
      }
      const renamed = changed.map((id) => {
        const was = referencedNames(baseline[overlay].get(id));
        const now = [...referencedNames(templates.get(id))].filter((n) => !was.has(n));
        return `${id} -> ${now.join(", ") || "(no new name)"}`;
      });
      console.log(`config rollout [${overlay}] ${what}: ${changed.length ? `new pod template for ${renamed.join("; ")}` : "no pod template changed"}`);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
for (const f of failures) console.log(`FAIL config rollout: ${f}`);
console.log(`config rollouts: ${CASES.length} cases, ${failures.length} problem(s)`);
process.exit(failures.length ? 1 : 0);
