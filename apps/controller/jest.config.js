module.exports = {
  displayName: 'controller',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
