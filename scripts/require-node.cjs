// Run first by every npm script: lambda-sim, its tests and benchmarks need Node >= 22.12 (type
// stripping). `npm install` puts Node 24 (the `node` devDependency) first on the scripts' PATH;
// this says so in one line when that did not happen, instead of a stack trace from deep inside.
// Plain CommonJS that any Node parses.
var v = process.versions.node.split(".").map(Number);
if (v[0] < 22 || (v[0] === 22 && v[1] < 12)) {
  process.stderr.write(
    "lambda-sim: needs Node.js >= 22.12 (24 recommended), this is " + process.version + " (" + process.execPath + "); " +
      "run `npm install` first (it installs Node 24 into node_modules/.bin), or install Node 24 (nodejs.org, `nvm install 24`)\n"
  );
  process.exit(1);
}
