/**
 * An API failure in words, announced to screen readers and brought into view
 * (the button that failed may be far below it); a 401 offers the way to sign in.
 */
import { useEffect, useRef } from 'react';
import type { ApiProblem } from '../api/problem.js';

export function ProblemAlert({ problem, action }: { problem: ApiProblem | undefined; action?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [problem]);
  if (!problem) return null;
  return (
    <div className="alert" role="alert" ref={ref}>
      <strong>{action ? `${action} failed` : problem.title || 'Something went wrong'}</strong>
      <p>{problem.sentence}</p>
      {problem.fieldErrors.length > 0 && (
        <ul>
          {problem.fieldErrors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <code>{e.path}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
      {problem.status === 401 && <a href="#/sign-in">Sign in</a>}
      {problem.requestId && <p className="muted small">Request id {problem.requestId}</p>}
    </div>
  );
}
