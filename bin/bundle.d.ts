/** Bundles `entry` (a source file under `root`) into `outfile`, inside the build `out` that bin/build.js made of `root`. */
export function bundleEntry(options: { root: string; out: string; entry: string; outfile: string; target: string; tsconfig: string }): Promise<void>
