// The demo's fixture data: the people of company.com, their managers and cost centres, as the directory
// server and the accounting API know them. The same people are the demo's operators (control-plane seed).

export interface Person {
  email: string;
  name: string;
  department: string;
  costCenter: string;
  manager: string | null;
  /** What the person may approve alone, in dollars (the scenario's delegation limit). */
  delegationLimit?: number;
}

export const people: readonly Person[] = [
  {
    email: "alice@company.com",
    name: "Alice Martin",
    department: "engineering",
    costCenter: "eng-team-001",
    manager: "bob@company.com",
    delegationLimit: 500,
  },
  { email: "bob@company.com", name: "Bob Chen", department: "engineering", costCenter: "eng-team-001", manager: null },
  {
    email: "carol@company.com",
    name: "Carol Diaz",
    department: "sales",
    costCenter: "sales-002",
    manager: "dave@company.com",
  },
  { email: "dave@company.com", name: "Dave Okafor", department: "sales", costCenter: "sales-002", manager: null },
];

export const personByEmail = (email: string): Person | undefined => people.find((p) => p.email === email);

/** What the OCR server "reads" from a receipt image: the demo has one receipt. */
export const receiptText = "CITY TAXI CO.\n2026-12-04 18:42\nAirport -> Office\nTOTAL USD 127.50";
