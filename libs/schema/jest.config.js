module.exports = {
  displayName: 'schema',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
