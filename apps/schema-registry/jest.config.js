module.exports = {
  displayName: 'schema-registry',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
