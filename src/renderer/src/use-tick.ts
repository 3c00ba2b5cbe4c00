/** A React hook that re-renders every `ms` while `on`: a stopwatch runs between status polls. */
import { useEffect, useState } from 'react';

export function useTick(on: boolean, ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [on, ms]);
  return now;
}
