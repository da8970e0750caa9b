export { runSuite, type SuiteOptions, type SuiteResult } from './suite.ts';
export { CHECKS } from './checks/index.ts';
