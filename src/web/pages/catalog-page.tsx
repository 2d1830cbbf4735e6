/** The catalog: search as you type (ranked by the API, like GET /packages), cards, pages of 24. */
import { useEffect, useState } from 'react';
import { useApp } from '../app-context.js';
import { ChartIcon } from '../components/chart-icon.js';
import { ProblemAlert } from '../components/problem-alert.js';
import { href } from '../routing.js';
import { useAsync } from '../use-async.js';

const PAGE_SIZE = 24;

export function CatalogPage() {
  const { api } = useApp();
  const [text, setText] = useState(() => sessionStorage.getItem('appstore.search') ?? '');
  const [query, setQuery] = useState(text);
  const [page, setPage] = useState(0);

  useEffect(() => {
    const timer = setTimeout(() => {
      setQuery(text.trim());
      setPage(0);
      sessionStorage.setItem('appstore.search', text);
    }, 200);
    return () => clearTimeout(timer);
  }, [text]);

  const result = useAsync(() => api.packages(query, PAGE_SIZE, page * PAGE_SIZE), [api, query, page]);
  const total = result.value?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <section>
      <h1>Applications</h1>
      <div className="search" role="search">
        <label htmlFor="search">Search applications</label>
        <input id="search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name, keyword or description" />
      </div>
      <ProblemAlert problem={result.problem} action="Loading the catalog" />
      <p className="muted" aria-live="polite">
        {result.value ? `${total} ${total === 1 ? 'application' : 'applications'}${query ? ` match “${query}”` : ''}` : 'Loading…'}
      </p>
      <ul className="cards">
        {result.value?.items.map((p) => (
          <li key={p.id} className="card package-card">
            <ChartIcon src={p.chart.icon} name={p.chart.name} />
            <div>
              <h2>
                <a href={href.package(p.id)}>{p.chart.name}</a>
              </h2>
              <p>{p.chart.description}</p>
              <p className="muted small">
                {p.versions[0]?.version ?? p.chart.version} · {p.repo}
                {p.chart.deprecated ? ' · deprecated' : ''}
              </p>
            </div>
          </li>
        ))}
      </ul>
      {pages > 1 && (
        <nav className="pager" aria-label="Pages">
          <button type="button" onClick={() => setPage((n) => n - 1)} disabled={page === 0}>
            Previous
          </button>
          <span>
            Page {page + 1} of {pages}
          </span>
          <button type="button" onClick={() => setPage((n) => n + 1)} disabled={page + 1 >= pages}>
            Next
          </button>
        </nav>
      )}
    </section>
  );
}
