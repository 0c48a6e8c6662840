// The data plane's software version, reported at enrollment and in every config stream's Hello.
import pkg from "../package.json" with { type: "json" };

export const DP_VERSION: string = pkg.version;
