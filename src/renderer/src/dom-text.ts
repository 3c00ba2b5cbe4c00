/**
 * Writing text that changes several times a second without garbage: `el.textContent = s` throws
 * away the element's Text node and makes a new one each time, and thousands of dead DOM nodes a
 * second make the browser's major GC trace long (a 540 ms task was seen in bench ui). This
 * rewrites the one Text node in place, and not at all when the text is unchanged.
 */
export function setText(el: HTMLElement, text: string): void {
  const t = el.firstChild;
  if (t !== null && t.nodeType === 3 && t.nextSibling === null) {
    if (t.nodeValue !== text) t.nodeValue = text;
  } else if (el.textContent !== text) {
    el.textContent = text;
  }
}
