import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable.ts";

const coded = (code: string) => Object.assign(new Error(code), { code });

describe("isDatabaseUnavailable", () => {
  it("R03: a query that could not reach the database counts; a failed query or another service's outage does not", () => {
    expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], coded("ECONNREFUSED")))).toBe(true);
    expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], coded("57P01")))).toBe(true);
    expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], coded("08006")))).toBe(true);
    const refusedTwice = new AggregateError([coded("ECONNREFUSED"), coded("ECONNREFUSED")]);
    expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], refusedTwice as Error))).toBe(true);
    expect(isDatabaseUnavailable(coded("CONNECTION_CLOSED"))).toBe(true);

    expect(isDatabaseUnavailable(new DrizzleQueryError("select 1", [], coded("23505")))).toBe(false);
    expect(isDatabaseUnavailable(coded("ECONNREFUSED"))).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
