import en from 'zod/v4/locales/en.js';
import { config } from 'zod/mini';

/**
 * zod for everything under functions/ (`import * as z from '#commons/platform/zod'`): `zod/mini`,
 * the tree-shakable build of zod 4. Classic zod's schema classes carry every method
 * (`.toJSONSchema`, `.transform`, …), so one import put ~90 KB in every Lambda bundle and ~10 ms in
 * every cold start; the mini build brings only the schemas and checks a function uses
 * (docs/benchmarks.md). Same parser, same errors: the English messages classic zod loads on its own
 * are loaded here, once, so field errors and ConfigError still read "Invalid input: expected
 * string, received undefined". Import it as a namespace: handing the namespace object around as a
 * value would pull all of zod (every locale included) back into the bundle. A test keeps classic
 * zod out of functions/.
 */
config(en());

export * from 'zod/mini';
