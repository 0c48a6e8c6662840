// Download links for an audit selection: plain links, so the browser streams the file with the session cookie.
import { type AuditFilters, exportUrl } from "./useAuditEvents.ts";

export function ExportLinks({ filters }: { filters: AuditFilters }) {
  return (
    <div className="export-links">
      <span className="export-label">Export</span>
      <a className="button button-small" href={exportUrl(filters, "csv")} download>
        CSV
      </a>
      <a className="button button-small" href={exportUrl(filters, "jsonl")} download>
        JSON Lines
      </a>
    </div>
  );
}
