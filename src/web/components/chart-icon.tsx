/**
 * A chart's icon: an image from the chart's own URL (https only, by the CSP,
 * without a referrer), or its initial when there is none or it fails to load.
 */
import { useState } from 'react';

export function ChartIcon({ src, name, size = 48 }: { src: string; name: string; size?: number }) {
  const [failed, setFailed] = useState(false);
  const usable = src.startsWith('https://') || src.startsWith('data:image/');
  if (!usable || failed) {
    return (
      <span className="icon icon-letter" aria-hidden="true">
        {name.slice(0, 1).toUpperCase()}
      </span>
    );
  }
  return (
    <img className="icon" src={src} alt="" width={size} height={size} referrerPolicy="no-referrer" loading="lazy" onError={() => setFailed(true)} />
  );
}
