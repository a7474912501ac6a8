/**
 * The catalog routes: machine specs, basic frameworks, preset algorithms and
 * preset models, served from the local platform's fixed catalog.
 * @module
 */
import { frameworkList, presetAlgorithmList, presetModelList, resourceList } from '../../catalog.js';
import type { Handlers } from '../router.js';

/** Handlers of the catalog endpoints. */
export function catalogHandlers(): Pick<
  Handlers,
  'listResources' | 'listFrameworks' | 'listPresetAlgorithms' | 'listPresetModels'
> {
  return {
    listResources: ({ params }) => resourceList(params.env),
    listFrameworks: ({ params }) => frameworkList(params.env),
    listPresetAlgorithms: () => presetAlgorithmList(),
    listPresetModels: () => presetModelList(),
  };
}
