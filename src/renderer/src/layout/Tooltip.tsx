/**
 * One styled tooltip for the whole page: any element with a `data-tip` attribute gets it, after a
 * short delay under the pointer (at once when moving from one tip to the next) and at once when it
 * takes the keyboard focus, which is what makes it keyboard-accessible (the element is described
 * by the tooltip while it shows; Escape hides it). One listener set and one node for every metric,
 * legend item and toolbar control, instead of a component per element: the figures it annotates are
 * written straight into the DOM and must not re-render to get a tooltip.
 */
import { type HTMLAttributes, useEffect, useRef } from 'react';

const TIP_ID = 'tickscope-tip';
const DELAY_MS = 180;
/** Within this long after a tip hid, the next one shows without delay (scanning a row of figures). */
const WARM_MS = 400;
const GAP = 7;

function tipTarget(node: EventTarget | null): HTMLElement | null {
  return node instanceof Element ? node.closest<HTMLElement>('[data-tip]') : null;
}

export function TooltipLayer() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const tip = ref.current;
    if (!tip) return;
    let target: HTMLElement | null = null;
    let timer = 0;
    let hiddenAt = 0;

    const place = (el: HTMLElement): void => {
      const r = el.getBoundingClientRect();
      const w = tip.offsetWidth;
      const h = tip.offsetHeight;
      const below = r.bottom + GAP + h <= window.innerHeight - 4;
      const left = Math.max(6, Math.min(window.innerWidth - w - 6, r.left + r.width / 2 - w / 2));
      tip.style.left = `${left}px`;
      tip.style.top = `${below ? r.bottom + GAP : r.top - GAP - h}px`;
      tip.dataset.side = below ? 'below' : 'above';
    };
    const show = (el: HTMLElement): void => {
      clearTimeout(timer);
      const text = el.dataset.tip;
      if (!text) return;
      target = el;
      tip.textContent = text;
      tip.hidden = false;
      place(el);
      el.setAttribute('aria-describedby', TIP_ID);
    };
    const hide = (): void => {
      clearTimeout(timer);
      if (!target) return;
      target.removeAttribute('aria-describedby');
      target = null;
      tip.hidden = true;
      hiddenAt = performance.now();
    };
    const later = (el: HTMLElement): void => {
      clearTimeout(timer);
      if (performance.now() - hiddenAt < WARM_MS) show(el);
      else timer = window.setTimeout(() => show(el), DELAY_MS);
    };

    const onOver = (e: PointerEvent): void => {
      const el = tipTarget(e.target);
      if (el === target) return;
      if (target) hide();
      if (el) later(el);
      else clearTimeout(timer);
    };
    const onOut = (e: PointerEvent): void => {
      const el = tipTarget(e.target);
      if (!el) return;
      // Leaving for one of its own children is not leaving.
      if (e.relatedTarget instanceof Node && el.contains(e.relatedTarget)) return;
      if (el === target) hide();
      else clearTimeout(timer);
    };
    const onFocus = (e: FocusEvent): void => {
      const el = tipTarget(e.target);
      // Only a keyboard focus shows the tip at once; a click focuses too, and its hover did the job.
      if (el && (e.target as HTMLElement).matches(':focus-visible')) show(el);
    };
    const onBlur = (): void => hide();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && target) hide();
    };
    const onDown = (): void => hide();
    document.addEventListener('pointerover', onOver);
    document.addEventListener('pointerout', onOut);
    document.addEventListener('pointerdown', onDown, true);
    document.addEventListener('focusin', onFocus);
    document.addEventListener('focusout', onBlur);
    document.addEventListener('keydown', onKey, true);
    window.addEventListener('scroll', onDown, true);
    window.addEventListener('resize', onDown);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('pointerover', onOver);
      document.removeEventListener('pointerout', onOut);
      document.removeEventListener('pointerdown', onDown, true);
      document.removeEventListener('focusin', onFocus);
      document.removeEventListener('focusout', onBlur);
      document.removeEventListener('keydown', onKey, true);
      window.removeEventListener('scroll', onDown, true);
      window.removeEventListener('resize', onDown);
    };
  }, []);
  return <div id={TIP_ID} role="tooltip" className="tip" data-testid="tooltip" ref={ref} hidden />;
}

/**
 * A figure that is not a control but has something to say about itself: its tooltip shows on
 * hover, and it takes the keyboard focus so that the tooltip shows for keyboard users too.
 */
export function TipSpan(props: HTMLAttributes<HTMLSpanElement> & { tip: string; testId?: string }) {
  const { tip, testId, ...rest } = props;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: focusable so its tooltip (what it measures) is reachable by keyboard
    <span {...rest} data-tip={tip} data-testid={testId} tabIndex={0} />
  );
}
