/** Page entry: bundled fonts and styles (same-origin, as COEP requires), then the app once fonts are ready. */
import '@fontsource-variable/inter/index.css';
import '@fontsource/jetbrains-mono/400.css';
import '@fontsource/jetbrains-mono/600.css';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

const root = document.getElementById('root');
if (!root) throw new Error('no #root element');
// Canvas text (chart axes) uses the webfonts only if they are loaded before the first draw.
void Promise.all([document.fonts.load('11px "JetBrains Mono"'), document.fonts.load('13px "Inter Variable"')])
  .catch(() => undefined)
  .then(() => {
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  });
