// bench/peers/cedar.mjs: throughput of Cedar (@cedar-policy/cedar-wasm) on a Cedar
// translation of the world's identity policies, over the same requests.
//
//   node bench/peers/cedar.mjs --modules DIR/node_modules --world W.json --requests R.jsonl [--sample N]
//
// What the translation covers (and what it drops), so the number is read for what it is:
//   - every statement of every policy named in some principal's identity_policies that has
//     Action (not NotAction), Resource (not NotResource), no Condition, no policy variable
//     (${...}) and no '?' wildcard becomes one Cedar policy:
//       permit|forbid (principal in Iam::Policy::"NAME", action, resource)
//       when { context.action like "s3:get*" && (context.resource like "arn:...*" || ...) };
//     (one such Cedar policy per action pattern of the statement);
//     actions are lower-cased on both sides (IAM actions are case-insensitive);
//   - each request becomes principal Iam::Principal::"ARN" (its parents: one Iam::Policy
//     entity per identity policy the world attaches), action Iam::Action::"request",
//     resource Iam::Resource::"ARN", context {action, resource};
//   - Cedar's answer is then "some identity statement allows and none denies" on that subset:
//     no conditions, SCPs, RCPs, boundaries, session or resource policies, and Cedar's `*`
//     crosses colons (AWS's ARN segment rule is not expressible with `like`). It is NOT an IAM
//     decision and is not compared with Arbiter's; it measures Cedar's evaluator on a policy
//     set of the same size and shape.
// Throughput: one pass over the first --sample requests (default 1,000), timed, using statefulIsAuthorized with the policy set pre-parsed (preparsePolicySet);
// each call still passes the request and entities across the JS/wasm boundary as JSON.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const modules = path.resolve(opt('--modules', '/tmp/arbiter-peers/node_modules'));
const world = JSON.parse(fs.readFileSync(opt('--world'), 'utf8'));
const requests = fs.readFileSync(opt('--requests'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const cedarDir = path.join(modules, '@cedar-policy/cedar-wasm');
const cedar = await import(pathToFileURL(path.join(cedarDir, 'nodejs/cedar_wasm.js')).href);
const version = JSON.parse(fs.readFileSync(path.join(cedarDir, 'package.json'), 'utf8')).version;

const asList = (v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const q = (s) => JSON.stringify(s); // Cedar string literal (JSON escaping is a subset Cedar accepts)
// Cedar `like`: `*` is the wildcard, a literal star is `\*`; IAM's `*` maps to it directly.
const likePattern = (s) => q(s).replace(/\\\\/g, '\\\\');

const identityNames = new Set(world.principals.flatMap((p) => p.identity_policies ?? []));
let total = 0;
let translated = 0;
const policies = [];
for (const name of [...identityNames].sort()) {
  const doc = world.policies[name];
  for (const st of asList(doc?.Statement)) {
    total++;
    if (!st.Action || !st.Resource || st.Condition) continue;
    const acts = asList(st.Action);
    const ress = asList(st.Resource);
    if ([...acts, ...ress].some((s) => typeof s !== 'string' || s.includes('${') || s.includes('?'))) continue;
    // One Cedar policy per action pattern and per chunk of 16 resource patterns: the same
    // meaning as one policy with long `||` chains, which overflow cedar-wasm's parser stack
    // (ReadOnlyAccess lists hundreds of actions).
    const effect = st.Effect === 'Deny' ? 'forbid' : 'permit';
    for (const a of acts) {
      for (let i = 0; i < ress.length; i += 16) {
        const resCond = ress.slice(i, i + 16).map((r) => `context.resource like ${likePattern(r)}`).join(' || ');
        policies.push(`${effect} (principal in Iam::Policy::${q(name)}, action, resource) when { context.action like ${likePattern(a.toLowerCase())} && (${resCond}) };`);
      }
    }
    translated++;
  }
}
const policyText = policies.join('\n');
const parsed = cedar.preparsePolicySet('world', { staticPolicies: policyText });
if (parsed.type !== 'success') {
  console.error(JSON.stringify(parsed.errors?.slice(0, 3)));
  process.exit(1);
}

const principals = new Map(world.principals.map((p) => [p.arn, p]));
const calls = requests.map((r) => {
  const p = principals.get(r.principal);
  const parents = (p?.identity_policies ?? []).map((n) => ({ type: 'Iam::Policy', id: n }));
  return {
    principal: { type: 'Iam::Principal', id: r.principal },
    action: { type: 'Iam::Action', id: 'request' },
    resource: { type: 'Iam::Resource', id: r.resource },
    context: { action: r.action.toLowerCase(), resource: r.resource },
    preparsedPolicySetId: 'world',
    entities: [{ uid: { type: 'Iam::Principal', id: r.principal }, attrs: {}, parents }]
  };
});

// One timed pass over the first --sample requests (Cedar evaluates every policy's scope for
// every request, with no index, so a full 10,000-request pass takes minutes).
const sample = calls.slice(0, Math.min(calls.length, Number(opt('--sample', '1000'))));
for (const c of sample.slice(0, 20)) cedar.statefulIsAuthorized(c); // warm-up
const decisions = { allow: 0, deny: 0, failure: 0 };
const start = process.hrtime.bigint();
for (const c of sample) {
  const a = cedar.statefulIsAuthorized(c);
  if (a.type !== 'success') decisions.failure++;
  else if (a.response.decision === 'allow') decisions.allow++;
  else decisions.deny++;
}
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
const done = sample.length;

console.log(JSON.stringify({
  peer: '@cedar-policy/cedar-wasm', version, cedar_version: cedar.getCedarVersion(),
  statements_total: total, statements_translated: translated, cedar_policies: policies.length,
  policy_text_bytes: policyText.length, requests: requests.length, decisions,
  decisions_timed: done, seconds: elapsed, dps: done / elapsed
}));
