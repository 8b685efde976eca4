// graphql-http's GraphQL-over-HTTP audit of a running server.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
// Prints every result and a count by status; exits 1 on any "error" (a MUST not met),
// 2 on bad usage or when the audit cannot run. Warnings and notices are printed, not fatal.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

let results;
try {
  results = await auditServer({ url, fetchFn: fetch });
} catch (error) {
  console.error(`the audit could not run against ${url}: ${error?.stack ?? error}`);
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  const line = `${result.status.padEnd(6)} ${result.id} ${result.name}`;
  if (result.status === 'ok') {
    console.log(line);
  } else {
    let body = '';
    try {
      body = (await result.response.text()).slice(0, 500);
    } catch {
      // the body was already read by the audit
    }
    console.log(`${line}\n       reason: ${result.reason}`);
    console.log(`       response: ${result.response.status} ${body}`);
  }
}
console.log(
  `graphql-http audit of ${url}: ${results.length} audits, ${counts.ok} ok, ` +
    `${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(counts.error > 0 ? 1 : 0);
