/**
 * The catalog: search as you type (ranked by the API, like GET /packages), filters by repository and keyword (the
 * API's repo and keyword), cards, pages of 24.
 */
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
  const [repo, setRepo] = useState(() => sessionStorage.getItem('appstore.repo') ?? '');
  const [keywordText, setKeywordText] = useState(() => sessionStorage.getItem('appstore.keyword') ?? '');
  const [keyword, setKeyword] = useState(keywordText);
  const repos = useAsync(() => api.repositories(), [api]);

  useEffect(() => {
    const timer = setTimeout(() => {
      setQuery(text.trim());
      setKeyword(keywordText.trim());
      setPage(0);
      sessionStorage.setItem('appstore.search', text);
      sessionStorage.setItem('appstore.keyword', keywordText);
    }, 200);
    return () => clearTimeout(timer);
  }, [text, keywordText]);

  const chooseRepo = (name: string) => {
    setRepo(name);
    setPage(0);
    sessionStorage.setItem('appstore.repo', name);
  };

  const result = useAsync(() => api.packages(query, PAGE_SIZE, page * PAGE_SIZE, { repo, keyword }), [api, query, repo, keyword, page]);
  // Keywords to suggest: those of the applications shown.
  const keywords = [...new Set(result.value?.items.flatMap((p) => p.chart.keywords ?? []) ?? [])].sort();
  const filtered = [repo && `in ${repo}`, keyword && `with keyword “${keyword}”`].filter(Boolean).join(' ');
  const total = result.value?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <section>
      <h1>Applications</h1>
      <div className="filters" role="search">
        <div className="search">
          <label htmlFor="search">Search applications</label>
          <input id="search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name, keyword or description" />
        </div>
        {(repos.value?.length ?? 0) > 1 || repo ? (
          <div>
            <label htmlFor="repo-filter">Repository</label>
            <select id="repo-filter" value={repo} onChange={(e) => chooseRepo(e.target.value)}>
              <option value="">All repositories</option>
              {[...new Set([...(repos.value ?? []), ...(repo ? [repo] : [])])].map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </div>
        ) : null}
        <div>
          <label htmlFor="keyword-filter">Keyword</label>
          <input id="keyword-filter" type="search" list="keyword-options" value={keywordText} onChange={(e) => setKeywordText(e.target.value)} placeholder="any" />
          <datalist id="keyword-options">
            {keywords.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
        </div>
      </div>
      <ProblemAlert problem={result.problem} action="Loading the catalog" />
      <p className="muted" aria-live="polite">
        {result.value ? `${total} ${total === 1 ? 'application' : 'applications'}${filtered ? ` ${filtered}` : ''}${query ? ` match “${query}”` : ''}` : 'Loading…'}
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
