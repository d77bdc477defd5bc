export { notebookSetup, isQuick, type NotebookContext } from './setup';
export { assertFreshBuild, staleBuildFiles, guardCompiledModules } from './build';
