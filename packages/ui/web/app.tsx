/**
 * The page's frame: the header with the sections, and the hash router
 * (`#/jobs`, `#/versions/12`, `#/services/3`…), so every view has an address.
 * @module
 */
import { useEffect, useState } from 'preact/hooks';
import { useJson } from './api.js';
import { CatalogPage } from './pages/Catalog.js';
import { JobPage } from './pages/Job.js';
import { JobsPage } from './pages/Jobs.js';
import { ModelPage } from './pages/Model.js';
import { ModelsPage } from './pages/Models.js';
import { ServicePage } from './pages/Service.js';
import { ServicesPage } from './pages/Services.js';
import { VersionPage } from './pages/Version.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

const SECTIONS = [
  ['jobs', 'Training jobs'],
  ['models', 'Models'],
  ['services', 'Services'],
  ['catalog', 'Catalog'],
] as const;

interface Info {
  readonly baseUrl: string;
  readonly username?: string;
  readonly projectId?: string;
}

function route(hash: string) {
  const [section = 'jobs', id] = hash.replace(/^#\/?/, '').split('/');
  const n = id === undefined ? undefined : Number(id);
  const valid = n !== undefined && Number.isSafeInteger(n) && n > 0;
  switch (section) {
    case 'jobs':
      return { section, view: valid ? <JobPage jobId={n} key={n} /> : <JobsPage /> };
    case 'versions':
      return { section: 'jobs', view: valid ? <VersionPage versionId={n} key={n} /> : <JobsPage /> };
    case 'models':
      return { section, view: valid ? <ModelPage modelId={n} key={n} /> : <ModelsPage /> };
    case 'services':
      return { section, view: valid ? <ServicePage serviceId={n} key={n} /> : <ServicesPage /> };
    case 'catalog':
      return { section, view: <CatalogPage /> };
    default:
      return { section: 'jobs', view: <JobsPage /> };
  }
}

export function App() {
  const hash = useHash();
  const info = useJson<Info>('/api/info');
  const { section, view } = route(hash);
  useEffect(() => window.scrollTo(0, 0), [hash]);
  return (
    <>
      <header class="top">
        <a class="brand" href="#/jobs">
          <span class="logo">◆</span> ModelMaker
        </a>
        <nav>
          {SECTIONS.map(([id, label]) => (
            <a
              key={id}
              href={`#/${id}`}
              class={section === id ? 'active' : ''}
              aria-current={section === id ? 'page' : undefined}
            >
              {label}
            </a>
          ))}
        </nav>
        <div class="who" title="the platform this dashboard acts on">
          {info.data ? (
            <>
              <span class="who-user">{info.data.username ?? 'signed in'}</span>
              <span class="who-url">{info.data.baseUrl}</span>
            </>
          ) : (
            info.error && <span class="who-error">{info.error}</span>
          )}
        </div>
      </header>
      <main>{view}</main>
    </>
  );
}
