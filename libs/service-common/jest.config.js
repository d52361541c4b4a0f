module.exports = {
  displayName: 'service-common',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
