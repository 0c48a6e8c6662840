// The CEL conformance cases from @bufbuild/cel-spec, run against @bufbuild/cel: the measured basis of the library
// choice (docs/adr/0003-cel-library.md). Every failing case is listed by name below; a listed case that starts
// passing, or a failure that is not listed, fails this test, so the list is always exactly the truth.
import { expect, test } from "vitest";
import { type CaseResult, CORE_SUITES, EXTENSION_SUITES, PROTOBUF_SUITES, runConformance } from "./cel-conformance.ts";

const KNOWN_FAILURES: readonly string[] = [
  // Backquoted field names (a.`b-c`), added to the spec in 2025: not parsed. Policies use a["b-c"] instead.
  "fields/quoted_map_fields/field_access_slash",
  "fields/quoted_map_fields/field_access_dash",
  "fields/quoted_map_fields/field_access_dot",
  "fields/quoted_map_fields/has_field_slash",
  "fields/quoted_map_fields/has_field_dash",
  "fields/quoted_map_fields/has_field_dot",
  "proto2/quoted_fields/set_field_with_quoted_name",
  "proto2/quoted_fields/get_field_with_quoted_name",
  "proto3/quoted_fields/set_field",
  "proto3/quoted_fields/get_field",
  // A map literal with keys 1 and 1u: fails in cel-go and cel-java too.
  "fields/qualified_identifier_resolution/map_value_repeat_key_heterogeneous",
  // Strong enum typing (the spec's optional future mode); the library implements legacy (int) enums.
  "enums/strong_proto2/type_global",
  "enums/strong_proto2/type_nested",
  "enums/strong_proto2/field_type",
  "enums/strong_proto2/assign_standalone_int",
  "enums/strong_proto2/convert_int_inrange",
  "enums/strong_proto2/convert_int_big",
  "enums/strong_proto2/convert_int_neg",
  "enums/strong_proto2/convert_string",
  "enums/strong_proto3/type_global",
  "enums/strong_proto3/type_nested",
  "enums/strong_proto3/field_type",
  "enums/strong_proto3/assign_standalone_int",
  "enums/strong_proto3/assign_standalone_int_big",
  "enums/strong_proto3/assign_standalone_int_neg",
  "enums/strong_proto3/convert_int_inrange",
  "enums/strong_proto3/convert_int_big",
  "enums/strong_proto3/convert_int_neg",
  "enums/strong_proto3/convert_string",
  // proto2 extension fields (pkg.ext syntax in has() and selection): not supported.
  "proto2/extensions_has/package_scoped_int32",
  "proto2/extensions_has/package_scoped_nested_ext",
  "proto2/extensions_has/package_scoped_test_all_types_ext",
  "proto2/extensions_has/package_scoped_test_all_types_nested_enum_ext",
  "proto2/extensions_has/package_scoped_repeated_test_all_types",
  "proto2/extensions_has/message_scoped_int64",
  "proto2/extensions_has/message_scoped_nested_ext",
  "proto2/extensions_has/message_scoped_nested_enum_ext",
  "proto2/extensions_has/message_scoped_repeated_test_all_types",
  "proto2/extensions_get/package_scoped_int32",
  "proto2/extensions_get/package_scoped_nested_ext",
  "proto2/extensions_get/package_scoped_test_all_types_ext",
  "proto2/extensions_get/package_scoped_test_all_types_nested_enum_ext",
  "proto2/extensions_get/package_scoped_repeated_test_all_types",
  "proto2/extensions_get/message_scoped_int64",
  "proto2/extensions_get/message_scoped_nested_ext",
  "proto2/extensions_get/message_scoped_nested_enum_ext",
  "proto2/extensions_get/message_scoped_repeated_test_all_types",
];

const BAR = 0.99;

function rate(results: readonly CaseResult[]) {
  const run = results.filter((r) => r.outcome !== "not_applicable");
  const passed = run.filter((r) => r.outcome === "pass").length;
  return { passed, run: run.length, rate: run.length === 0 ? 1 : passed / run.length };
}

test("@bufbuild/cel passes ≥ 99% of the core conformance suites and fails exactly the known cases", () => {
  const suites = [...CORE_SUITES, ...PROTOBUF_SUITES, ...EXTENSION_SUITES];
  const results = runConformance(suites);

  const lines = suites.map((s) => {
    const r = rate(results.filter((c) => c.suite === s));
    return `${s.padEnd(14)} ${String(r.passed).padStart(4)}/${String(r.run).padEnd(4)} ${(r.rate * 100).toFixed(1)}%`;
  });
  const core = rate(results.filter((c) => (CORE_SUITES as readonly string[]).includes(c.suite)));
  const proto = rate(results.filter((c) => (PROTOBUF_SUITES as readonly string[]).includes(c.suite)));
  const all = rate(results.filter((c) => !(EXTENSION_SUITES as readonly string[]).includes(c.suite)));
  console.log(
    [
      "CEL conformance (@bufbuild/cel vs @bufbuild/cel-spec):",
      ...lines,
      `core suites:      ${core.passed}/${core.run} = ${(core.rate * 100).toFixed(2)}% (bar ${BAR * 100}%)`,
      `protobuf suites:  ${proto.passed}/${proto.run} = ${(proto.rate * 100).toFixed(2)}%`,
      `core + protobuf:  ${all.passed}/${all.run} = ${(all.rate * 100).toFixed(2)}%`,
      `known failures:   ${KNOWN_FAILURES.length}`,
    ].join("\n"),
  );

  expect(core.run).toBeGreaterThan(1000);
  expect(core.rate).toBeGreaterThanOrEqual(BAR);

  const failing = new Set(results.filter((r) => r.outcome === "fail").map((r) => r.name));
  const known = new Set(KNOWN_FAILURES);
  const unexpectedFailures = [...failing]
    .filter((n) => !known.has(n))
    .map((n) => {
      const r = results.find((c) => c.name === n);
      return `${n}: ${r?.detail ?? ""}`;
    });
  const nowPassing = [...known].filter((n) => !failing.has(n));
  expect({ unexpectedFailures, nowPassing }).toEqual({ unexpectedFailures: [], nowPassing: [] });
});
