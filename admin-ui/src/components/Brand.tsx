// The Portcullis mark and word.
export function Brand({ compact }: { compact?: boolean }) {
  return (
    <span className={compact ? "brand brand-compact" : "brand"}>
      <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <rect width="32" height="32" rx="7" className="brand-mark-bg" />
        <path d="M8 25V12a8 8 0 0 1 16 0v13" className="brand-mark-arch" />
        <path d="M12.5 9v16M16 7v18M19.5 9v16M8 15h16M8 20h16" className="brand-mark-grid" />
      </svg>
      <span className="brand-name">Portcullis</span>
    </span>
  );
}
