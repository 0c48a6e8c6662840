// Test certificates made by openssl (PEM files in a directory): a CA, and certificates it issues with the
// extensions a test asks for (SANs, key usage) and a validity in days (0: expired a second after it is made).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface TestCa {
  /** Path of a file in the CA's directory. */
  file(name: string): string;
  /** Issues `<who>.pem` and `<who>.key`; `ext` is an openssl extension file's lines. Returns the two paths. */
  issue(who: string, ext: string, days?: number): { cert: string; key: string };
}

const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

export function createTestCa(dir: string, name: string): TestCa {
  mkdirSync(dir, { recursive: true });
  const file = (n: string) => path.join(dir, n);
  openssl(
    "req",
    "-x509",
    ...ecKey,
    "-days",
    "2",
    "-subj",
    `/CN=${name} test CA`,
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  );
  return {
    file,
    issue(who, ext, days = 2) {
      openssl("req", ...ecKey, "-subj", `/CN=${who}`, "-keyout", file(`${who}.key`), "-out", file(`${who}.csr`));
      writeFileSync(file(`${who}.ext`), `${ext}\n`);
      openssl(
        "x509",
        "-req",
        "-in",
        file(`${who}.csr`),
        "-CA",
        file("ca.pem"),
        "-CAkey",
        file("ca.key"),
        "-CAcreateserial",
        "-days",
        String(days),
        "-extfile",
        file(`${who}.ext`),
        "-out",
        file(`${who}.pem`),
      );
      return { cert: file(`${who}.pem`), key: file(`${who}.key`) };
    },
  };
}

/** A server certificate for 127.0.0.1 / localhost. */
export const SERVER_EXT = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth";
/** A client certificate with the given SANs (`URI:spiffe://…`, `DNS:…`). */
export const clientExt = (...sans: string[]) =>
  `${sans.length > 0 ? `subjectAltName=${sans.join(",")}\n` : ""}extendedKeyUsage=clientAuth`;
