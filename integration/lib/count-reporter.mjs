// A node:test reporter that writes {passed, failed, skipped} as JSON (one count per test, not suite).
export default async function* countReporter(source) {
  let passed = 0, failed = 0, skipped = 0;
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    if (ev.data.details?.type === 'suite') continue;
    if (ev.data.skip || ev.data.todo) skipped++;
    else if (ev.type === 'test:pass') passed++;
    else failed++;
  }
  yield JSON.stringify({ passed, failed, skipped });
}
