// Previous/next over keyset pages (the API returns `nextCursor`, null on the last page).
export function Pager({
  page,
  hasPrevious,
  hasNext,
  busy,
  onPrevious,
  onNext,
  shown,
  noun,
  nounPlural = `${noun}s`,
}: {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  busy: boolean;
  onPrevious: () => void;
  onNext: () => void;
  shown: number;
  noun: string;
  nounPlural?: string;
}) {
  const counted = `${shown} ${shown === 1 ? noun : nounPlural}`;
  if (page === 1 && !hasNext) {
    return <p className="pager-summary">{counted}</p>;
  }
  return (
    <nav className="pager" aria-label="Pagination">
      <span className="pager-summary">
        Page {page} · {counted} on this page
      </span>
      <div className="pager-buttons">
        <button type="button" className="button" onClick={onPrevious} disabled={!hasPrevious || busy}>
          Previous
        </button>
        <button type="button" className="button" onClick={onNext} disabled={!hasNext || busy}>
          Next
        </button>
      </div>
    </nav>
  );
}
