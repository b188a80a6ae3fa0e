#!/usr/bin/env node
// Parses every .ipa named on the command line with app-info-parser, one after another, the way a
// Node OTA portal reads its uploads: Info.plist, embedded.mobileprovision and the icon
// (CgBI reverted to PNG, as base64). This is the reference that scripts/bench-build.sh times
// against `otasite inspect --json --no-hash`.
//
//   node bench/parse-all.js [--json] [--keep-going] FILE...
//
// Prints one line "parsed N failed M" on stderr; with --json, one JSON array on stdout of
// {file, bundle_id, version, build, error} so the two tools can be checked to agree.
// Exits 1 if any file failed to parse, unless --keep-going.
'use strict';

const AppInfoParser = require('app-info-parser');

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const keepGoing = args.includes('--keep-going');
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    console.error('usage: parse-all.js [--json] [--keep-going] FILE...');
    process.exit(2);
  }
  // app-info-parser prints a warning for every icon it cannot revert; keep stderr readable.
  const warn = console.warn;
  console.warn = () => {};
  const out = [];
  let failed = 0;
  for (const file of files) {
    try {
      const info = await new AppInfoParser(file).parse();
      out.push({
        file,
        bundle_id: info.CFBundleIdentifier ?? null,
        version: info.CFBundleShortVersionString ?? null,
        build: info.CFBundleVersion ?? null,
        icon: typeof info.icon === 'string',
        profile: Boolean(info.mobileProvision && info.mobileProvision.Name),
        error: null,
      });
    } catch (e) {
      failed += 1;
      out.push({ file, error: String((e && e.message) || e) });
    }
  }
  console.warn = warn;
  if (json) process.stdout.write(JSON.stringify(out, null, 1) + '\n');
  console.error(`parsed ${files.length - failed} failed ${failed}`);
  process.exit(failed && !keepGoing ? 1 : 0);
}

main();
