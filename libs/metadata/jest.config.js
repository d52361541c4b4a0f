module.exports = {
  displayName: 'metadata',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
